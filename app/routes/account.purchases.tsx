import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useLoaderData } from "@remix-run/react";
import type { PurchaseStatus } from "#db/schema/enums";
import { EmptyState } from "~/components/empty-state";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { CursorPagination } from "~/components/pagination";
import { formatMoney } from "~/domain/money";
import { requireUser } from "~/request/auth.server";
import { listUserPurchases } from "~/services/purchases.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const url = new URL(request.url);
  const page = await listUserPurchases(context.db, user.id, {
    cursor: url.searchParams.get("cursor"),
  });
  return Response.json(
    {
      purchases: page.items.map((purchase) => ({
        id: purchase.id,
        productName: purchase.productName,
        productSlug: purchase.productSlug,
        licenseType: purchase.licenseType,
        amountCents: purchase.amountCents,
        currency: purchase.currency,
        status: purchase.status,
        provider: purchase.provider,
        failureReason: purchase.failureReason,
        createdAt: purchase.createdAt.toISOString(),
      })),
      nextCursor: page.nextCursor,
      // Test-provider links only where the test provider is in use.
      testCheckout: !context.env.isProduction && !context.env.stripe,
    },
    { headers: { "Cache-Control": "private, no-store" } },
  );
}

export const meta: MetaFunction = () => [{ title: "Purchases — Studio Store" }];

type LoaderData = {
  purchases: {
    id: string;
    productName: string;
    productSlug: string;
    licenseType: string;
    amountCents: number;
    currency: string;
    status: PurchaseStatus;
    provider: string;
    failureReason: string | null;
    createdAt: string;
  }[];
  nextCursor: string | null;
  testCheckout: boolean;
};

const STATUS_TONE: Record<PurchaseStatus, string> = {
  PENDING: "",
  COMPLETED: "badge--success",
  FAILED: "badge--danger",
  REFUNDED: "badge--danger",
  DISPUTED: "badge--danger",
};

const dateFormat = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeZone: "UTC" });

export default function PurchasesPage() {
  const { purchases, nextCursor, testCheckout } = useLoaderData<LoaderData>();
  return (
    <section aria-labelledby="purchases-title">
      <h1 id="purchases-title">Purchases</h1>
      {purchases.length === 0 ? (
        <EmptyState title="No purchases yet">
          <p>
            When you buy a product, your order appears here. <Link to="/products">Browse</Link>
          </p>
        </EmptyState>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col">License</th>
                <th scope="col">Amount</th>
                <th scope="col">Status</th>
                <th scope="col">Date</th>
              </tr>
            </thead>
            <tbody>
              {purchases.map((purchase) => (
                <tr key={purchase.id}>
                  <td>
                    <Link to={`/products/${purchase.productSlug}`}>{purchase.productName}</Link>
                  </td>
                  <td>{purchase.licenseType.toLowerCase()}</td>
                  <td>{formatMoney(purchase.amountCents, purchase.currency)}</td>
                  <td>
                    <span
                      className={`badge ${STATUS_TONE[purchase.status]}`}
                      title={purchase.failureReason ?? undefined}
                    >
                      {purchase.status.toLowerCase()}
                    </span>
                    {testCheckout &&
                      purchase.status === "PENDING" &&
                      purchase.provider === "TEST" && (
                        <>
                          {" "}
                          <Link to={`/checkout/test/${purchase.id}`}>Complete payment</Link>
                        </>
                      )}
                  </td>
                  <td>
                    <time dateTime={purchase.createdAt}>
                      {dateFormat.format(new Date(purchase.createdAt))}
                    </time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <CursorPagination nextCursor={nextCursor} />
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
