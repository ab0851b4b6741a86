import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { EmptyState } from "~/components/empty-state";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { CursorPagination } from "~/components/pagination";
import { PageQuerySchema } from "~/domain/downloads/forms";
import { downloadOutcomeLabel, formatUtc } from "~/domain/downloads/quota";
import { requireUser } from "~/request/auth.server";
import { listUserDownloads } from "~/services/downloads/history.server";

export const meta: MetaFunction = () => [{ title: "Your downloads — Studio Store" }];

export const headers: HeadersFunction = () => ({ "Cache-Control": "private, no-store" });

/** Every download attempt of the user, all licenses, newest first. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const query = PageQuerySchema.parse({
    cursor: new URL(request.url).searchParams.get("cursor"),
  });
  const page = await listUserDownloads(context.db, { userId: user.id, cursor: query.cursor });
  const now = new Date();
  return Response.json(
    {
      downloads: page.items.map((row) => ({
        id: row.id,
        licenseId: row.licenseId,
        productName: row.productName,
        createdAt: row.createdAt,
        outcome: downloadOutcomeLabel(row, now),
      })),
      nextCursor: page.nextCursor,
    },
    { headers: { "Cache-Control": "private, no-store" } },
  );
}

type LoaderData = {
  downloads: {
    id: string;
    licenseId: string;
    productName: string;
    createdAt: string;
    outcome: string;
  }[];
  nextCursor: string | null;
};

export default function AccountDownloads() {
  const { downloads, nextCursor } = useLoaderData<LoaderData>();
  return (
    <>
      <header className="page-header">
        <h1>Downloads</h1>
        <p>Every download of your licensed files, including refused ones.</p>
      </header>
      {downloads.length === 0 ? (
        <EmptyState title="No downloads yet">
          <p>
            Download your files from <Link to="/account/licenses">your licenses</Link>.
          </p>
        </EmptyState>
      ) : (
        <div className="table-scroll">
          <table className="data-table" data-testid="download-list">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Product</th>
                <th scope="col">Outcome</th>
              </tr>
            </thead>
            <tbody>
              {downloads.map((row) => (
                <tr key={row.id}>
                  <td>{formatUtc(new Date(row.createdAt))}</td>
                  <td>
                    <Link to={`/account/licenses/${row.licenseId}`}>{row.productName}</Link>
                  </td>
                  <td>{row.outcome}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <CursorPagination nextCursor={nextCursor} />
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
