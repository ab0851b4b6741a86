import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { AuditHistory } from "~/components/audit-history";
import { StatusBoundary } from "~/components/error-boundary";
import { FormError, useFormReply } from "~/components/forms";
import { ProductForm } from "~/components/product-form";
import { UploadWidget } from "~/components/upload-widget";
import type { AuditAction } from "~/domain/audit/actions";
import { ADMIN_ROUTE_POLICY } from "~/domain/auth/route-policy";
import { ProductAdminFormSchema, productFormValues } from "~/domain/catalog/product-forms";
import { formatBytes, MAX_PREVIEWS } from "~/domain/catalog/upload-rules";
import { invariantResponse, requireIdParam } from "~/lib/http";
import { adminAction } from "~/request/admin-action.server";
import { requirePermission } from "~/request/auth.server";
import {
  getProductForEdit,
  removeProductImage,
  updateAdminProduct,
} from "~/services/product-admin.server";
import productStyles from "~/styles/admin-products.css?url";
import { LocalTime } from "~/components/local-time";

const ROUTE_ID = "routes/admin.products.$productId";
const NOT_FOUND = "There is no such product.";

export const links = () => [{ rel: "stylesheet", href: productStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.product.name ?? "Product"} — Admin — Studio Store` },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  await requirePermission(request, context, ADMIN_ROUTE_POLICY[ROUTE_ID].loader);
  const productId = requireIdParam(params, "productId", NOT_FOUND);
  const detail = await getProductForEdit(context.db, productId);
  invariantResponse(detail, NOT_FOUND, { status: 404 });
  // The form's values are computed here: the forms module (zod) stays out of the browser.
  return { ...detail, formValues: productFormValues(detail.product) };
}

/** The toast after a save, by what the save did (null: nothing changed). */
function savedToast(action: AuditAction | null): string {
  if (action === null) return "Nothing changed.";
  if (action === "PRODUCT_PUBLISHED") return "Published: the product is in the catalog.";
  if (action === "PRODUCT_ARCHIVED") return "Archived: the product is no longer sold.";
  if (action === "PRODUCT_UNPUBLISHED") return "Unpublished: the product is a draft again.";
  return "Changes saved.";
}

export async function action(args: ActionFunctionArgs) {
  return adminAction(args, {
    routeId: ROUTE_ID,
    schema: ProductAdminFormSchema,
    // Removing an image that is already gone (a second click) answers 404, as it always has.
    statusOverrides: { "image-gone": 404 },
    async perform(form, staff) {
      const productId = requireIdParam(args.params, "productId", NOT_FOUND);
      if (form.intent === "save") {
        const saved = await updateAdminProduct(
          { db: staff.db },
          { ...staff, productId, fields: form.fields },
        );
        if (!saved.ok) return saved;
        return {
          ok: true,
          toast: savedToast(saved.action),
          toastKind: saved.action === null ? "info" : "success",
        };
      }
      const kind = form.intent === "remove-preview" ? "preview" : "thumbnail";
      const removed = await removeProductImage(
        { db: staff.db, files: args.context.cloudflare.env.FILES },
        { ...staff, productId, kind, key: form.key },
      );
      if (!removed.ok) return removed;
      return { ok: true, toast: kind === "preview" ? "Preview removed." : "Thumbnail removed." };
    },
  });
}

// ---- Page -----------------------------------------------------------------------------------

export default function AdminProductPage() {
  const { product, audit, formValues } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  // The remove buttons are two intents of one panel: their refusals show above it.
  const images = useFormReply(actionData?.intent === "save" ? undefined : actionData);

  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/admin/products">Products</Link> <span aria-hidden="true">/</span> {product.name}
      </nav>
      <header className="admin-header">
        <div>
          <h1>{product.name}</h1>
          <p>
            <span className={product.status === "PUBLISHED" ? "badge badge--success" : "badge"}>
              {product.status.toLowerCase()}
            </span>{" "}
            {product.status === "PUBLISHED" && (
              <Link to={`/products/${product.slug}`}>View in the catalog</Link>
            )}
          </p>
        </div>
      </header>

      <section className="admin-panel" aria-labelledby="facts-heading">
        <h2 id="facts-heading">At a glance</h2>
        <dl className="facts">
          <div>
            <dt>First published</dt>
            <dd>
              <LocalTime value={product.publishedAt} />
            </dd>
          </div>
          <div>
            <dt>Sales / downloads</dt>
            <dd>
              {product.purchaseCount} / {product.downloadCount}
            </dd>
          </div>
          <div>
            <dt>Created</dt>
            <dd>
              <LocalTime value={product.createdAt} />
            </dd>
          </div>
          <div>
            <dt>Last changed</dt>
            <dd>
              <LocalTime value={product.updatedAt} />
            </dd>
          </div>
        </dl>
      </section>

      <section className="admin-panel" aria-labelledby="files-heading">
        <h2 id="files-heading">Files and images</h2>
        <FormError>{images.formError ?? images.field("key").error}</FormError>
        <div className="product-media">
          <div className="product-media__item">
            <h3>Product file</h3>
            {product.file ? (
              <dl className="facts product-file" data-testid="product-file">
                <div>
                  <dt>Name</dt>
                  <dd>{product.file.name}</dd>
                </div>
                <div>
                  <dt>Size</dt>
                  <dd>{product.file.size === null ? "—" : formatBytes(product.file.size)}</dd>
                </div>
                <div>
                  <dt>SHA-256</dt>
                  <dd>
                    <code className="sha256">{product.file.sha256 ?? "—"}</code>
                  </dd>
                </div>
              </dl>
            ) : (
              <p className="muted">No file yet: the product can&apos;t be published without one.</p>
            )}
            <UploadWidget
              productId={product.id}
              kind="file"
              label={product.file ? "Replace the product file" : "Upload the product file"}
              description="Private: buyers get it through download links only."
            />
          </div>

          <div className="product-media__item">
            <h3>Thumbnail</h3>
            {product.thumbnail?.url ? (
              <div className="product-media__image">
                <img src={product.thumbnail.url} alt={`Thumbnail of ${product.name}`} />
                <RemoveImageButton
                  intent="remove-thumbnail"
                  imageKey={product.thumbnail.key}
                  label="Remove thumbnail"
                />
              </div>
            ) : (
              <p className="muted">No thumbnail yet.</p>
            )}
            <UploadWidget
              productId={product.id}
              kind="thumbnail"
              label={product.thumbnail ? "Replace the thumbnail" : "Upload a thumbnail"}
            />
          </div>

          <div className="product-media__item product-media__item--wide">
            <h3>
              Previews ({product.previews.length} of {MAX_PREVIEWS})
            </h3>
            {product.previews.length > 0 ? (
              <ul className="product-previews" role="list">
                {product.previews.map((preview, index) => (
                  <li key={preview.key}>
                    {preview.url && (
                      <img src={preview.url} alt={`Preview ${index + 1} of ${product.name}`} />
                    )}
                    <RemoveImageButton
                      intent="remove-preview"
                      imageKey={preview.key}
                      label={`Remove preview ${index + 1}`}
                    />
                  </li>
                ))}
              </ul>
            ) : (
              <p className="muted">No previews yet.</p>
            )}
            {product.previews.length < MAX_PREVIEWS ? (
              <UploadWidget productId={product.id} kind="preview" label="Add a preview image" />
            ) : (
              <p className="muted">Remove a preview to add another.</p>
            )}
          </div>
        </div>
      </section>

      <section aria-labelledby="details-heading">
        <h2 id="details-heading">Details</h2>
        <ProductForm
          mode="edit"
          reply={actionData}
          saved={formValues}
          hasFile={Boolean(product.file)}
        />
      </section>

      <AuditHistory rows={audit} title="History" empty="Nothing recorded for this product yet." />
    </>
  );
}

function RemoveImageButton({
  intent,
  imageKey,
  label,
}: {
  intent: "remove-preview" | "remove-thumbnail";
  imageKey: string;
  label: string;
}) {
  return (
    <Form method="post" className="inline-form">
      <input type="hidden" name="key" value={imageKey} />
      <button type="submit" name="intent" value={intent} className="button button--ghost">
        {label}
      </button>
    </Form>
  );
}

export function ErrorBoundary() {
  return (
    <StatusBoundary
      status={404}
      title="There is no such product"
      message="The link may be wrong. Find it on the products page."
    />
  );
}
