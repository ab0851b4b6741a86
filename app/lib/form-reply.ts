/**
 * What an action sends back when it can't accept a form (docs/decisions/0006-form-kit.md):
 * one message per field, one about the whole form, and what the user typed so the page can
 * show it again. Zod-free, so pages import it without pulling zod into the browser.
 */
export interface FormReply {
  readonly status: "error";
  /** The `intent` of the form that was submitted: pages with several forms show errors on it. */
  readonly intent?: string;
  readonly fieldErrors: Readonly<Record<string, string>>;
  readonly formError?: string;
  /** What was typed, minus secrets: passwords and codes are never sent back. */
  readonly values: Readonly<Record<string, string>>;
  /** The action needs a fresh two-factor code: the form shows its code field (staff step-up). */
  readonly stepUp?: true;
}

const SECRET_FIELD = /password|secret|token|^code$|^recoveryCode$/i;

/** The text fields of a submission that may be shown again (no secrets, no files). */
export function keptValues(formData: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of formData) {
    if (typeof value === "string" && !SECRET_FIELD.test(name) && !(name in values)) {
      values[name] = value;
    }
  }
  return values;
}

export function formReply(
  formData: FormData,
  errors: { fieldErrors?: Record<string, string>; formError?: string },
): FormReply {
  const intent = formData.get("intent");
  return {
    status: "error",
    ...(typeof intent === "string" ? { intent } : {}),
    fieldErrors: errors.fieldErrors ?? {},
    ...(errors.formError ? { formError: errors.formError } : {}),
    values: keptValues(formData),
  };
}

/** A sentence refusing the submission, inline under `field` when it names one. */
export function refusalReply(
  formData: FormData,
  refusal: { message: string; field?: string },
): FormReply {
  return refusal.field
    ? formReply(formData, { fieldErrors: { [refusal.field]: refusal.message } })
    : formReply(formData, { formError: refusal.message });
}
