import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { PagedTable } from "~/components/data-table";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { PageHeader } from "~/components/page";
import { downloadOutcomeLabel } from "~/domain/downloads/quota";
import { pageCursor } from "~/request/account.server";
import { requireUser } from "~/request/auth.server";
import { listUserDownloads } from "~/services/downloads/history.server";
import { LocalTime } from "~/components/local-time";

export const meta: MetaFunction = () => [{ title: "Your downloads — Studio Store" }];

/** Every download attempt of the user, all licenses, newest first. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const page = await listUserDownloads(context.db, {
    userId: user.id,
    cursor: pageCursor(request),
  });
  const now = new Date();
  return {
    downloads: page.items.map((row) => ({
      id: row.id,
      licenseId: row.licenseId,
      productName: row.productName,
      createdAt: row.createdAt,
      outcome: downloadOutcomeLabel(row, now),
    })),
    nextCursor: page.nextCursor,
  };
}

export default function AccountDownloads() {
  const { downloads, nextCursor } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader title="Downloads">
        Every download of your licensed files, including refused ones.
      </PageHeader>
      <PagedTable
        rows={downloads}
        testId="download-list"
        columns={[
          { header: "When", cell: (row) => <LocalTime value={row.createdAt} /> },
          {
            header: "Product",
            cell: (row) => <Link to={`/account/licenses/${row.licenseId}`}>{row.productName}</Link>,
          },
          { header: "Outcome", cell: (row) => row.outcome },
        ]}
        nextCursor={nextCursor}
        emptyTitle="No downloads yet"
      >
        <p>
          Download your files from <Link to="/account/licenses">your licenses</Link>.
        </p>
      </PagedTable>
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
