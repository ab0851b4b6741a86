import type { z } from "~/lib/zod";
import { formReply, type FormReply } from "./form-reply";

export { formReply, refusalReply, type FormReply } from "./form-reply";

export type FormSubmission<T> = { ok: true; value: T } | { ok: false; reply: FormReply };

/**
 * Parse a submitted form with its zod schema (the one form kit, ADR 0006). The schema sees
 * the form as a plain object: one string per field, and every value as an array for fields
 * named in `arrays` (checkbox groups, multi-selects). On failure the reply has the first
 * message per field, and issues about the whole form (no path) as `formError`.
 */
export function parseForm<Schema extends z.ZodType>(
  formData: FormData,
  schema: Schema,
  options: { arrays?: readonly string[] } = {},
): FormSubmission<z.output<Schema>> {
  const raw: Record<string, unknown> = {};
  for (const [name, value] of formData) {
    if (options.arrays?.includes(name)) {
      raw[name] = [...((raw[name] as unknown[] | undefined) ?? []), value];
    } else if (!(name in raw)) {
      raw[name] = value;
    }
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, reply: formReply(formData, zodErrors(parsed.error)) };
}

/** `{ fieldErrors, formError }` from a failed parse, first message per field. */
export function zodErrors(error: z.ZodError): {
  fieldErrors: Record<string, string>;
  formError?: string;
} {
  const fieldErrors: Record<string, string> = {};
  let formError: string | undefined;
  for (const issue of error.issues) {
    const field = issue.path[0];
    if (field === undefined) formError ??= issue.message;
    else fieldErrors[String(field)] ??= issue.message;
  }
  return formError ? { fieldErrors, formError } : { fieldErrors };
}
