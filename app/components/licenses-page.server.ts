import { formatDate } from "~/lib/format";
import type { listUserLicenses } from "~/services/licenses.server";

/**
 * For the licenses list's loader (see ./root.server for why one `.server` module per page). The
 * expiry comes as words (UTC, like the page always showed it), so the date formatter stays on
 * the server.
 */
export { pageCursor } from "~/request/account.server";
export { requireUser } from "~/request/auth.server";
export { listUserLicenses } from "~/services/licenses.server";

type LicenseRow = Awaited<ReturnType<typeof listUserLicenses>>["items"][number];

export const licenseRowView = (license: LicenseRow) => ({
  ...license,
  expires: formatDate(license.expiresAt, "Never"),
});
