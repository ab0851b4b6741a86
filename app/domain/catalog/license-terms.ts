import type { LicenseType } from "#db/schema/enums";
import { DOWNLOADS_PER_WINDOW, DOWNLOAD_WINDOW_MS } from "~/domain/downloads/quota";

/**
 * What a license allows, in the words a buyer reads before paying (the test checkout's order
 * summary). Pure and zod-free; the numbers come from the product row and the download quota,
 * so the summary says what the code enforces.
 */
export interface LicenseTerms {
  label: string;
  /** People who may use it: 1, or the product's TEAM seats. */
  seats: number;
  allows: string[];
  /** "Perpetual" or "12 months". */
  term: string;
}

export const LICENSE_LABELS: Readonly<Record<LicenseType, string>> = {
  PERSONAL: "Personal license",
  COMMERCIAL: "Commercial license",
  TEAM: "Team license",
};

export const DOWNLOAD_WINDOW_DAYS = Math.round(DOWNLOAD_WINDOW_MS / 86_400_000);

export function licenseTerms(
  type: LicenseType,
  product: { teamSeats: number; licenseDurationMonths: number | null },
): LicenseTerms {
  const term = product.licenseDurationMonths
    ? `${product.licenseDurationMonths} months`
    : "Perpetual";
  const downloads = `${DOWNLOADS_PER_WINDOW} downloads in any ${DOWNLOAD_WINDOW_DAYS} days, and a reset on request`;
  switch (type) {
    case "PERSONAL":
      return {
        label: LICENSE_LABELS.PERSONAL,
        seats: 1,
        term,
        allows: [
          "One person, for your own projects and your portfolio",
          "Not for client work or products you sell",
          downloads,
        ],
      };
    case "COMMERCIAL":
      return {
        label: LICENSE_LABELS.COMMERCIAL,
        seats: 1,
        term,
        allows: [
          "One person, for client work and products you sell",
          "Unlimited end products; not resold or shared as-is",
          downloads,
        ],
      };
    case "TEAM":
      return {
        label: LICENSE_LABELS.TEAM,
        seats: product.teamSeats,
        term,
        allows: [
          `Up to ${product.teamSeats} people (seats) under one key, with commercial use`,
          "Each teammate activates a seat; free one by deactivating it",
          downloads,
        ],
      };
  }
}
