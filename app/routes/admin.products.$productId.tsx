import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { AuditHistory } from "~/components/audit-history";
import { ErrorPanel, GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError } from "~/components/forms";
import { ProductForm, type ProductFormValues } from "~/components/product-form";
import { UploadWidget } from "~/components/upload-widget";
import { actionCapability, ADMIN_ROUTE_POLICY } from "~/domain/auth/route-policy";
import {
  parseProductForm,
  productFormValues,
  RemovePreviewSchema,
} from "~/domain/catalog/product-forms";
import { formatBytes, MAX_PREVIEWS } from "~/domain/catalog/upload-rules";
import { auditActor, auditRequestInfo, requirePermission } from "~/request/auth.server";
import { invariantResponse, requireIdParam } from "~/lib/http";
import { redirectWithToast } from "~/lib/toast.server";
import {
  getProductForEdit,
  removeProductImage,
  updateAdminProduct,
  type ProductEditDetail,
} from "~/services/product-admin.server";
import productStyles from "~/styles/admin-products.css?url";

const ROUTE_ID = "routes/admin.products.$productId";

export const links = () => [{ rel: "stylesheet", href: productStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  {
    title: `${(data as LoaderData | undefined)?.product.name ?? "Product"} — Admin — Studio Store`,
  },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  await requirePermission(request, context, ADMIN_ROUTE_POLICY[ROUTE_ID].loader);
  const productId = requireIdParam(params, "productId", "There is no such product.");
  const detail = await getProductForEdit(context.db, productId);
  invariantResponse(detail, "There is no such product.", { status: 404 });
  // The form's values are computed here: the forms module (zod) stays out of the browser.
  return Response.json({ ...detail, formValues: productFormValues(detail.product) });
}

type ActionData = {
  intent: string;
  errors: Record<string, string>;
  values?: ProductFormValues;
};

function submittedValues(formData: FormData): ProductFormValues {
  const values: ProductFormValues = {};
  for (const [key, value] of formData) if (typeof value === "string") values[key] = value;
  values.featured = formData.get("featured") === "on";
  return values;
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const formData = await request.formData();
  const rawIntent = formData.get("intent");
  const intent = typeof rawIntent === "string" ? rawIntent : null;
  const capability = actionCapability(ROUTE_ID, intent);
  if (!capability) {
    await requirePermission(request, context, ADMIN_ROUTE_POLICY[ROUTE_ID].loader);
    throw new Response("This form asked for something we don't know how to do.", { status: 400 });
  }
  const actor = await requirePermission(request, context, capability);
  const productId = requireIdParam(params, "productId", "There is no such product.");
  const common = {
    actor: auditActor(actor),
    now: new Date(),
    request: await auditRequestInfo(request, context),
  };

  if (intent === "remove-preview" || intent === "remove-thumbnail") {
    const parsed = RemovePreviewSchema.safeParse({ previewKey: formData.get("key") ?? undefined });
    if (!parsed.success) {
      return Response.json(
        { intent, errors: { form: "Choose an image to remove." } } satisfies ActionData,
        { status: 400 },
      );
    }
    const result = await removeProductImage(
      { db: context.db, files: context.cloudflare.env.FILES },
      {
        ...common,
        productId,
        kind: intent === "remove-preview" ? "preview" : "thumbnail",
        key: parsed.data.previewKey,
      },
    );
    if (!result.ok) {
      return Response.json({ intent, errors: { form: result.error } } satisfies ActionData, {
        status: result.status,
      });
    }
    return redirectWithToast(context, `/admin/products/${productId}`, {
      kind: "success",
      message: intent === "remove-preview" ? "Preview removed." : "Thumbnail removed.",
    });
  }

  const parsed = parseProductForm(formData);
  if (!parsed.ok) {
    return Response.json(
      {
        intent: "save",
        errors: parsed.errors,
        values: submittedValues(formData),
      } satisfies ActionData,
      { status: 400 },
    );
  }
  const result = await updateAdminProduct(context.db, {
    ...common,
    productId,
    fields: parsed.fields,
  });
  if (!result.ok) {
    invariantResponse(result.status !== 404, "There is no such product.", { status: 404 });
    return Response.json(
      {
        intent: "save",
        errors: result.errors,
        values: submittedValues(formData),
      } satisfies ActionData,
      { status: result.status },
    );
  }
  const message =
    result.action === null
      ? "Nothing changed."
      : result.action === "PRODUCT_PUBLISHED"
        ? "Published: the product is in the catalog."
        : result.action === "PRODUCT_ARCHIVED"
          ? "Archived: the product is no longer sold."
          : result.action === "PRODUCT_UNPUBLISHED"
            ? "Unpublished: the product is a draft again."
            : "Changes saved.";
  return redirectWithToast(context, `/admin/products/${productId}`, {
    kind: result.action === null ? "info" : "success",
    message,
  });
}

// ---- Page -----------------------------------------------------------------------------------

type Serialized<T> = T extends Date
  ? string
  : T extends Array<infer U>
    ? Array<Serialized<U>>
    : T extends object
      ? { [K in keyof T]: Serialized<T[K]> }
      : T;
type LoaderData = Serialized<ProductEditDetail> & { formValues: ProductFormValues };

const dateTime = new Intl.DateTimeFormat("en", {
  dateStyle: "medium",
  timeStyle: "short",
  timeZone: "UTC",
});
const when = (value: string | null) => (value ? `${dateTime.format(new Date(value))} UTC` : "—");

export default function AdminProductPage() {
  const { product, audit, formValues } = useLoaderData<LoaderData>();
  const actionData = useActionData<ActionData>();
  const saveData = actionData?.intent === "save" ? actionData : undefined;
  const imageError =
    actionData && actionData.intent !== "save" ? actionData.errors.form : undefined;
  const values = saveData?.values ?? formValues;

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
            <dd>{when(product.publishedAt)}</dd>
          </div>
          <div>
            <dt>Sales / downloads</dt>
            <dd>
              {product.purchaseCount} / {product.downloadCount}
            </dd>
          </div>
          <div>
            <dt>Created</dt>
            <dd>{when(product.createdAt)}</dd>
          </div>
          <div>
            <dt>Last changed</dt>
            <dd>{when(product.updatedAt)}</dd>
          </div>
        </dl>
      </section>

      <section className="admin-panel" aria-labelledby="files-heading">
        <h2 id="files-heading">Files and images</h2>
        <FormError>{imageError}</FormError>
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
          values={values}
          errors={saveData?.errors}
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
    <GeneralErrorBoundary
      statusHandlers={{
        404: () => (
          <ErrorPanel
            status={404}
            title="There is no such product"
            message="The link may be wrong. Find it on the products page."
          />
        ),
      }}
    />
  );
}
