import { Form } from "@remix-run/react";
import { PRODUCT_CATEGORIES, PRODUCT_STATUSES } from "#db/schema/enums";
import {
  NEW_PRODUCT_VALUES,
  PRODUCT_CURRENCIES,
  PRODUCT_LIMITS,
  type ProductFormValues,
} from "~/domain/catalog/product-limits";
import type { FormReply } from "~/lib/form-reply";
import { Field, FormError, SelectField, SubmitButton, TextAreaField, useFormReply } from "./forms";

const enumOptions = (values: readonly string[]) =>
  values.map((value) => ({ value, label: value.toLowerCase().replaceAll("_", " ") }));
const CATEGORY_OPTIONS = enumOptions(PRODUCT_CATEGORIES);
const STATUS_OPTIONS = enumOptions(PRODUCT_STATUSES);
const CURRENCY_OPTIONS = PRODUCT_CURRENCIES.map((value) => ({ value, label: value }));

/**
 * Every field of a product. Create and edit share it; a new product starts as a draft, so
 * the status select only shows when editing. Prices are decimal money ("19.90"). `saved` is
 * the product as stored (edit); a reply from the action keeps what was typed instead.
 */
export function ProductForm({
  mode,
  reply,
  saved,
  hasFile = false,
}: {
  mode: "create" | "edit";
  reply?: FormReply | null;
  saved?: ProductFormValues;
  hasFile?: boolean;
}) {
  // The edit page has other forms (removing images): only a reply to "save" is ours.
  const intent = mode === "edit" ? "save" : undefined;
  const form = useFormReply(reply, intent ? { intent } : {});
  const values: Partial<ProductFormValues> = saved ?? NEW_PRODUCT_VALUES;
  const field = (name: keyof Omit<ProductFormValues, "featured">) => form.field(name, values[name]);
  // An unchecked box sends nothing, so after a reply "not in it" means unchecked, not "saved".
  const sent = reply?.intent === intent ? reply : undefined;
  const featured = sent ? sent.values.featured === "on" : (values.featured ?? false);

  return (
    <Form method="post" className="product-form form-stack" noValidate>
      <FormError>{form.formError}</FormError>
      {intent && <input type="hidden" name="intent" value={intent} />}

      <fieldset className="product-form__group">
        <legend>Basics</legend>
        <Field label="Name" meta={field("name")} required maxLength={PRODUCT_LIMITS.name} />
        <Field
          label="Slug"
          meta={field("slug")}
          required
          maxLength={PRODUCT_LIMITS.slug}
          pattern="[a-z0-9]([a-z0-9\-]*[a-z0-9])?"
          description={
            <>
              The product&apos;s address: /products/<em>slug</em>. Lowercase letters, digits and
              hyphens.
            </>
          }
        />
        <Field label="Tagline" meta={field("tagline")} maxLength={PRODUCT_LIMITS.tagline} />
        <SelectField label="Category" meta={field("category")} options={CATEGORY_OPTIONS} />
        <Field
          label="Tags"
          meta={field("tags")}
          description={`Comma-separated, e.g. dashboard, dark-mode (at most ${PRODUCT_LIMITS.tags}).`}
        />
        <TextAreaField
          label="Description"
          meta={field("description")}
          rows={8}
          description="Markdown. Shown on the product page."
        />
      </fieldset>

      <fieldset className="product-form__group">
        <legend>Pricing and licenses</legend>
        <div className="product-form__row">
          <SelectField label="Currency" meta={field("currency")} options={CURRENCY_OPTIONS} />
          <Field
            label="Personal license price"
            meta={field("pricePersonal")}
            inputMode="decimal"
            required
            description="Required, e.g. 29.00"
          />
          <Field
            label="Commercial license price"
            meta={field("priceCommercial")}
            inputMode="decimal"
            description="Empty = not offered"
          />
          <Field
            label="Team license price"
            meta={field("priceTeam")}
            inputMode="decimal"
            description="Empty = not offered"
          />
        </div>
        <div className="product-form__row">
          <Field
            label="Team seats"
            meta={field("teamSeats")}
            type="number"
            min={PRODUCT_LIMITS.teamSeats.min}
            max={PRODUCT_LIMITS.teamSeats.max}
          />
          <Field
            label="License duration (months)"
            meta={field("licenseDurationMonths")}
            type="number"
            min={PRODUCT_LIMITS.licenseDurationMonths.min}
            max={PRODUCT_LIMITS.licenseDurationMonths.max}
            description="Empty = perpetual"
          />
        </div>
      </fieldset>

      <fieldset className="product-form__group">
        <legend>Release</legend>
        <Field
          label="Version"
          meta={field("version")}
          required
          maxLength={PRODUCT_LIMITS.version}
        />
        <TextAreaField
          label="Changelog"
          meta={field("changelog")}
          rows={6}
          description="Markdown."
        />
        <TextAreaField
          label="Documentation"
          meta={field("documentation")}
          rows={10}
          description="Markdown. Shown to visitors on the product page."
        />
      </fieldset>

      <fieldset className="product-form__group">
        <legend>Visibility</legend>
        {mode === "edit" ? (
          <SelectField
            label="Status"
            meta={field("status")}
            options={STATUS_OPTIONS}
            description={
              hasFile
                ? "Published products are listed in the catalog and can be bought."
                : "Upload the product file before publishing."
            }
          />
        ) : (
          <p className="muted">New products start as drafts. Upload the file, then publish.</p>
        )}
        <Field
          label="Featured on the home page"
          name="featured"
          type="checkbox"
          defaultChecked={featured}
          className="field field--checkbox"
        />
      </fieldset>

      <div>
        <SubmitButton pendingText={mode === "create" ? "Creating…" : "Saving…"}>
          {mode === "create" ? "Create product" : "Save changes"}
        </SubmitButton>
      </div>
    </Form>
  );
}
