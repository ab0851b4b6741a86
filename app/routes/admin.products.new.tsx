import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/cloudflare";
import { Link, useActionData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { ProductForm } from "~/components/product-form";
import { ADMIN_ROUTE_POLICY } from "~/domain/auth/route-policy";
import { ProductFormSchema } from "~/domain/catalog/product-forms";
import { parseForm } from "~/lib/forms.server";
import { redirectWithToast } from "~/lib/toast.server";
import { auditActor, auditRequestInfo, requirePermission } from "~/request/auth.server";
import { refusedForm } from "~/request/refusals.server";
import { readForm } from "~/request/read-form.server";
import { createAdminProduct } from "~/services/product-admin.server";
import productStyles from "~/styles/admin-products.css?url";

const ROUTE_ID = "routes/admin.products.new";

export const links = () => [{ rel: "stylesheet", href: productStyles }];

export const meta: MetaFunction = () => [{ title: "New product — Admin — Studio Store" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requirePermission(request, context, ADMIN_ROUTE_POLICY[ROUTE_ID].loader);
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requirePermission(request, context, ADMIN_ROUTE_POLICY[ROUTE_ID].action);
  const formData = await readForm(request);
  const submission = parseForm(formData, ProductFormSchema);
  if (!submission.ok) return data(submission.reply, { status: 400 });
  const result = await createAdminProduct(
    { db: context.db },
    {
      actor: auditActor(user),
      fields: submission.value,
      now: new Date(),
      request: await auditRequestInfo(request, context),
    },
  );
  if (!result.ok) return refusedForm(formData, result);
  return redirectWithToast(context, `/admin/products/${result.productId}`, {
    kind: "success",
    message: "Product created as a draft. Upload its file, then publish it.",
  });
}

export default function NewProduct() {
  const reply = useActionData<typeof action>();
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
      <ProductForm mode="create" reply={reply} />
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
