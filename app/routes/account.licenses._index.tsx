import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import { LicenseStatusBadge } from "~/components/badge";
import { PagedTable } from "~/components/data-table";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { PageHeader } from "~/components/page";
import {
  licenseRowView,
  listUserLicenses,
  pageCursor,
  requireUser,
} from "~/components/licenses-page.server";

export const meta: MetaFunction = () => [{ title: "Your licenses — Studio Store" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const page = await listUserLicenses(context.db, {
    userId: user.id,
    now: new Date(),
    cursor: pageCursor(request),
  });
  return { licenses: page.items.map(licenseRowView), nextCursor: page.nextCursor };
}

export default function AccountLicenses() {
  const { licenses, nextCursor } = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader title="Licenses">
        Every product you bought comes with a license key for your software.
      </PageHeader>
      <PagedTable
        rows={licenses}
        testId="license-list"
        columns={[
          {
            header: "Product",
            cell: (license) => (
              <Link to={`/account/licenses/${license.id}`}>{license.productName}</Link>
            ),
          },
          { header: "Type", cell: (license) => license.type },
          {
            header: "Status",
            cell: (license) => <LicenseStatusBadge code={license.effective.code} />,
          },
          { header: "Key", cell: (license) => <code>{license.maskedKey}</code> },
          { header: "Expires", cell: (license) => license.expires },
          { header: "Seats", cell: (license) => `${license.seats.used} / ${license.seats.max}` },
        ]}
        nextCursor={nextCursor}
        emptyTitle="No licenses yet"
      >
        <p>
          When you buy a product, its license appears here.{" "}
          <Link to="/products">Browse the products</Link>.
        </p>
      </PagedTable>
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
