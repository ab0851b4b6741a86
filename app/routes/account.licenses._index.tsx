import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { CursorQuerySchema } from "~/domain/licenses/admin-forms";
import { EmptyState } from "~/components/empty-state";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { CursorPagination } from "~/components/pagination";
import { licenseStatusBadge, type EffectiveStatus } from "~/domain/licenses/status";
import { requireUser } from "~/request/auth.server";
import { listUserLicenses } from "~/services/licenses.server";

export const meta: MetaFunction = () => [{ title: "Your licenses — Studio Store" }];

/** A user's licenses (and a revealed key) must never sit in a shared cache. */
export const headers: HeadersFunction = () => ({ "Cache-Control": "private, no-store" });

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const query = CursorQuerySchema.parse({
    cursor: new URL(request.url).searchParams.get("cursor"),
  });
  const page = await listUserLicenses(context.db, {
    userId: user.id,
    now: new Date(),
    cursor: query.cursor,
  });
  return Response.json(
    { licenses: page.items, nextCursor: page.nextCursor },
    { headers: { "Cache-Control": "private, no-store" } },
  );
}

type LicenseRow = {
  id: string;
  productName: string;
  type: string;
  effective: EffectiveStatus;
  maskedKey: string;
  expiresAt: string | null;
  seats: { used: number; max: number };
};

type LoaderData = { licenses: LicenseRow[]; nextCursor: string | null };

// One fixed time zone, so the server's HTML and the browser's render agree.
const dateFormat = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: "UTC" });

const badgeClass = (tone: string) => (tone === "neutral" ? "badge" : `badge badge--${tone}`);

export default function AccountLicenses() {
  const data = useLoaderData<LoaderData>();
  return (
    <>
      <header className="page-header">
        <h1>Licenses</h1>
        <p>Every product you bought comes with a license key for your software.</p>
      </header>

      {data.licenses.length === 0 ? (
        <EmptyState title="No licenses yet">
          <p>
            When you buy a product, its license appears here.{" "}
            <Link to="/products">Browse the products</Link>.
          </p>
        </EmptyState>
      ) : (
        <div className="table-scroll">
          <table className="data-table" data-testid="license-list">
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col">Type</th>
                <th scope="col">Status</th>
                <th scope="col">Key</th>
                <th scope="col">Expires</th>
                <th scope="col">Seats</th>
              </tr>
            </thead>
            <tbody>
              {data.licenses.map((license) => {
                const badge = licenseStatusBadge(license.effective.code);
                return (
                  <tr key={license.id}>
                    <td>
                      <Link to={`/account/licenses/${license.id}`}>{license.productName}</Link>
                    </td>
                    <td>{license.type}</td>
                    <td>
                      <span className={badgeClass(badge.tone)}>{badge.label}</span>
                    </td>
                    <td>
                      <code>{license.maskedKey}</code>
                    </td>
                    <td>
                      {license.expiresAt ? dateFormat.format(new Date(license.expiresAt)) : "Never"}
                    </td>
                    <td>{`${license.seats.used} / ${license.seats.max}`}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <CursorPagination nextCursor={data.nextCursor} />
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
