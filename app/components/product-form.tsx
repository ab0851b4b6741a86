import { Form } from "@remix-run/react";
import { useId, type ReactNode } from "react";
import { PRODUCT_CATEGORIES, PRODUCT_STATUSES } from "#db/schema/enums";
import { Field, FormError, SubmitButton } from "./forms";

/** Kept here (not imported from the zod forms module) so the browser bundle stays zod-free. */
const CURRENCIES = ["USD", "EUR", "GBP", "CAD", "AUD", "CHF", "SEK", "JPY"] as const;

export type ProductFormValues = Record<string, string | boolean | undefined>;

function useFieldIds(name: string, error: string | undefined, described: boolean) {
  const base = `${name}-${useId()}`;
  const describedBy = [described ? `${base}-description` : null, error ? `${base}-error` : null]
    .filter(Boolean)
    .join(" ");
  return { id: base, describedBy: describedBy || undefined };
}

function FieldMessages({
  id,
  error,
  description,
}: {
  id: string;
  error?: string;
  description?: ReactNode;
}) {
  return (
    <>
      {description && (
        <p id={`${id}-description`} className="field__description">
          {description}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="field__error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}

function TextArea({
  label,
  name,
  value,
  error,
  description,
  rows = 6,
}: {
  label: string;
  name: string;
  value: string;
  error?: string;
  description?: ReactNode;
  rows?: number;
}) {
  const { id, describedBy } = useFieldIds(name, error, Boolean(description));
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        name={name}
        defaultValue={value}
        rows={rows}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
      />
      <FieldMessages id={id} error={error} description={description} />
    </div>
  );
}

function Select({
  label,
  name,
  value,
  options,
  error,
  description,
  optionLabel = (option) => option.toLowerCase().replaceAll("_", " "),
}: {
  label: string;
  name: string;
  value: string;
  options: readonly string[];
  error?: string;
  description?: ReactNode;
  optionLabel?: (option: string) => string;
}) {
  const { id, describedBy } = useFieldIds(name, error, Boolean(description));
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        name={name}
        defaultValue={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
      >
        {options.map((option) => (
          <option key={option} value={option}>
            {optionLabel(option)}
          </option>
        ))}
      </select>
      <FieldMessages id={id} error={error} description={description} />
    </div>
  );
}

/**
 * Every field of a product. Create and edit share it; a new product starts as a draft, so
 * the status select only shows when editing. Prices are decimal money ("19.90").
 */
export function ProductForm({
  mode,
  values,
  errors = {},
  hasFile = false,
}: {
  mode: "create" | "edit";
  values: ProductFormValues;
  errors?: Record<string, string | undefined>;
  hasFile?: boolean;
}) {
  const text = (name: string) => (typeof values[name] === "string" ? (values[name] as string) : "");
  const featuredId = useId();
  return (
    <Form method="post" className="product-form form-stack" noValidate>
      <FormError>{errors.form}</FormError>
      {mode === "edit" && <input type="hidden" name="intent" value="save" />}

      <fieldset className="product-form__group">
        <legend>Basics</legend>
        <Field
          label="Name"
          name="name"
          defaultValue={text("name")}
          error={errors.name}
          required
          maxLength={120}
        />
        <Field
          label="Slug"
          name="slug"
          defaultValue={text("slug")}
          error={errors.slug}
          required
          maxLength={80}
          pattern="[a-z0-9]([a-z0-9\-]*[a-z0-9])?"
          description={
            <>
              The product&apos;s address: /products/<em>slug</em>. Lowercase letters, digits and
              hyphens.
            </>
          }
        />
        <Field
          label="Tagline"
          name="tagline"
          defaultValue={text("tagline")}
          error={errors.tagline}
          maxLength={160}
        />
        <Select
          label="Category"
          name="category"
          value={text("category") || "TEMPLATE"}
          options={PRODUCT_CATEGORIES}
          error={errors.category}
        />
        <Field
          label="Tags"
          name="tags"
          defaultValue={text("tags")}
          error={errors.tags}
          description="Comma-separated, e.g. dashboard, dark-mode (at most 10)."
        />
        <TextArea
          label="Description"
          name="description"
          value={text("description")}
          error={errors.description}
          rows={8}
          description="Markdown. Shown on the product page."
        />
      </fieldset>

      <fieldset className="product-form__group">
        <legend>Pricing and licenses</legend>
        <div className="product-form__row">
          <Select
            label="Currency"
            name="currency"
            value={text("currency") || "USD"}
            options={CURRENCIES}
            optionLabel={(option) => option}
            error={errors.currency}
          />
          <Field
            label="Personal license price"
            name="pricePersonal"
            inputMode="decimal"
            defaultValue={text("pricePersonal")}
            error={errors.pricePersonal}
            required
            description="Required, e.g. 29.00"
          />
          <Field
            label="Commercial license price"
            name="priceCommercial"
            inputMode="decimal"
            defaultValue={text("priceCommercial")}
            error={errors.priceCommercial}
            description="Empty = not offered"
          />
          <Field
            label="Team license price"
            name="priceTeam"
            inputMode="decimal"
            defaultValue={text("priceTeam")}
            error={errors.priceTeam}
            description="Empty = not offered"
          />
        </div>
        <div className="product-form__row">
          <Field
            label="Team seats"
            name="teamSeats"
            type="number"
            min={2}
            max={1000}
            defaultValue={text("teamSeats") || "5"}
            error={errors.teamSeats}
          />
          <Field
            label="License duration (months)"
            name="licenseDurationMonths"
            type="number"
            min={1}
            max={120}
            defaultValue={text("licenseDurationMonths")}
            error={errors.licenseDurationMonths}
            description="Empty = perpetual"
          />
        </div>
      </fieldset>

      <fieldset className="product-form__group">
        <legend>Release</legend>
        <Field
          label="Version"
          name="version"
          defaultValue={text("version") || "1.0.0"}
          error={errors.version}
          required
          maxLength={40}
        />
        <TextArea
          label="Changelog"
          name="changelog"
          value={text("changelog")}
          error={errors.changelog}
          description="Markdown."
        />
        <TextArea
          label="Documentation"
          name="documentation"
          value={text("documentation")}
          error={errors.documentation}
          rows={10}
          description="Markdown. Shown to visitors on the product page."
        />
      </fieldset>

      <fieldset className="product-form__group">
        <legend>Visibility</legend>
        {mode === "edit" ? (
          <Select
            label="Status"
            name="status"
            value={text("status") || "DRAFT"}
            options={PRODUCT_STATUSES}
            error={errors.status}
            description={
              hasFile
                ? "Published products are listed in the catalog and can be bought."
                : "Upload the product file before publishing."
            }
          />
        ) : (
          <p className="muted">New products start as drafts. Upload the file, then publish.</p>
        )}
        <div className="field field--checkbox">
          <input
            id={featuredId}
            type="checkbox"
            name="featured"
            defaultChecked={values.featured === true}
          />
          <label htmlFor={featuredId}>Featured on the home page</label>
        </div>
      </fieldset>

      <div>
        <SubmitButton pendingText={mode === "create" ? "Creating…" : "Saving…"}>
          {mode === "create" ? "Create product" : "Save changes"}
        </SubmitButton>
      </div>
    </Form>
  );
}
