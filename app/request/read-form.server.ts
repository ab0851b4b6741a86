import { refuse } from "~/domain/refusal";
import { refusalResponse } from "./refusals.server";

/** The two bodies an HTML form sends (`<form>` and Remix's `<Form>` both use one of them). */
const FORM_TYPES = new Set(["application/x-www-form-urlencoded", "multipart/form-data"]);

const NOT_A_FORM = refuse(
  "invalid",
  "unsupported-media-type",
  "This address takes a form (application/x-www-form-urlencoded or multipart/form-data); send the form from its page.",
);

const UNREADABLE_FORM = refuse(
  "invalid",
  "malformed-form",
  "The form could not be read: its body does not match its Content-Type. Send it again from its page.",
);

/**
 * The one way an action reads its form. Anything else than a form body (JSON, plain text, no
 * Content-Type) is thrown as 415 with a sentence, and a form body that does not parse (a
 * multipart without its boundary, a cut-off part) as 400: never the 500 `request.formData()`
 * throws. ESLint keeps routes and request glue from calling `request.formData()` themselves.
 * Streamed uploads and the JSON APIs read their own bodies and do not come here.
 */
export async function readForm(request: Pick<Request, "headers" | "formData">): Promise<FormData> {
  const mediaType = (request.headers.get("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (!FORM_TYPES.has(mediaType)) {
    throw refusalResponse(NOT_A_FORM, { overrides: { "unsupported-media-type": 415 } });
  }
  try {
    return await request.formData();
  } catch {
    throw refusalResponse(UNREADABLE_FORM);
  }
}
