import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useActionData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { ProductForm, type ProductFormValues } from "~/components/product-form";
import { ADMIN_ROUTE_POLICY } from "~/domain/auth/route-policy";
import { parseProductForm } from "~/domain/catalog/product-forms";
import { auditActor, auditRequestInfo, requirePermission } from "~/request/auth.server";
import { redirectWithToast } from "~/lib/toast.server";
import { createAdminProduct } from "~/services/product-admin.server";
import productStyles from "~/styles/admin-products.css?url";

const ROUTE_ID = "routes/admin.products.new";

export const links = () => [{ rel: "stylesheet", href: productStyles }];

export const meta: MetaFunction = () => [{ title: "New product — Admin — Studio Store" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, ADMIN_ROUTE_POLICY[ROUTE_ID].loader);
  return Response.json({});
}

type ActionData = { errors: Record<string, string>; values: ProductFormValues };

/** What the visitor typed, sent back with the errors so nothing they entered is lost. */
function submittedValues(formData: FormData): ProductFormValues {
  const values: ProductFormValues = {};
  for (const [key, value] of formData) if (typeof value === "string") values[key] = value;
  values.featured = formData.get("featured") === "on";
  return values;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const actor = await requirePermission(request, context, ADMIN_ROUTE_POLICY[ROUTE_ID].action);
  const formData = await request.formData();
  const parsed = parseProductForm(formData);
  if (!parsed.ok) {
    return Response.json(
      { errors: parsed.errors, values: submittedValues(formData) } satisfies ActionData,
      { status: 400 },
    );
  }
  const result = await createAdminProduct(context.db, {
    actor: auditActor(actor),
    fields: parsed.fields,
    now: new Date(),
    request: await auditRequestInfo(request, context),
  });
  if (!result.ok) {
    return Response.json(
      { errors: result.errors, values: submittedValues(formData) } satisfies ActionData,
      { status: result.status },
    );
  }
  return redirectWithToast(context, `/admin/products/${result.productId}`, {
    kind: "success",
    message: "Product created as a draft. Upload its file, then publish it.",
  });
}

export default function NewProduct() {
  const actionData = useActionData<ActionData>();
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/admin/products">Products</Link> <span aria-hidden="true">/</span> New
      </nav>
      <header>
        <h1>New product</h1>
        <p className="muted">
          Fill in the details; files and images are uploaded on the next page.
        </p>
      </header>
      <ProductForm mode="create" values={actionData?.values ?? {}} errors={actionData?.errors} />
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
