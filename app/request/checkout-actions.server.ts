import { redirect, type ActionFunctionArgs, type TypedResponse } from "@remix-run/cloudflare";
import { isRefusalError, refuse } from "~/domain/refusal";
import type { AuditActor, AuditRequestInfo } from "~/services/audit.server";
import { parseForm } from "~/lib/forms.server";
import type { z } from "~/lib/zod";
import {
  auditActor,
  auditRequestInfo,
  requireGuardianConsent,
  requireUser,
} from "~/request/auth.server";
import { refusalResponse } from "~/request/refusals.server";
import { readForm } from "./read-form.server";

/** Who starts a checkout, from where and when: what every checkout service is given. */
export interface CheckoutStart {
  user: AuditActor & { email: string };
  /** `https://store.example`: where the payment provider sends the buyer back. */
  origin: string;
  now: Date;
  request: AuditRequestInfo;
}

/**
 * The action behind `POST /checkout/:slug`, `/checkout/membership` and `/checkout/credits`:
 * a signed-in buyer (with a guardian's consent when a minor), the form read with its schema,
 * then the checkout service and a redirect to the payment page.
 *
 * These routes have no page of their own (the forms sit on the product, pricing and membership
 * pages), so an invalid form and a refused checkout are thrown as their sentence with the
 * refusal's status (`refusalResponse`), for the route's error boundary to show.
 */
export async function checkoutAction<Schema extends z.ZodType>(
  { request, context }: ActionFunctionArgs,
  schema: Schema,
  start: (form: z.output<Schema>, buyer: CheckoutStart) => Promise<{ redirectTo: string }>,
): Promise<TypedResponse<never>> {
  const user = await requireUser(request, context);
  requireGuardianConsent(user);
  const submission = parseForm(await readForm(request), schema);
  if (!submission.ok) {
    const { formError, fieldErrors } = submission.reply;
    const message = formError ?? Object.values(fieldErrors)[0] ?? "The form is not valid.";
    throw refusalResponse(refuse("invalid", "invalid-form", message));
  }
  try {
    const checkout = await start(submission.value, {
      user: { ...auditActor(user), email: user.email },
      origin: new URL(request.url).origin,
      now: new Date(),
      request: await auditRequestInfo(request, context),
    });
    return redirect(checkout.redirectTo);
  } catch (error) {
    if (isRefusalError(error)) throw refusalResponse(error.refusal);
    throw error;
  }
}
