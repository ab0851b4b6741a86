import { redirect, type ActionFunctionArgs } from "@remix-run/cloudflare";
import {
  auditActor,
  auditRequestInfo,
  requireGuardianConsent,
  requireUser,
} from "~/request/auth.server";
import { invariantResponse } from "~/lib/http";
import { CheckoutError } from "~/services/checkout.server";
import {
  startMembershipCheckout,
  type MembershipCheckoutItem,
} from "~/services/membership-checkout.server";

/**
 * The action behind `POST /checkout/membership` and `POST /checkout/credits`: the same
 * account checks and the same checkout service, only the form and the item differ.
 */
export async function membershipCheckoutAction(
  { request, context }: ActionFunctionArgs,
  form: {
    /** The item the submitted form asks for, or null when it isn't valid. */
    parse(formData: FormData): MembershipCheckoutItem | null;
    invalidMessage: string;
  },
): Promise<Response> {
  const user = await requireUser(request, context);
  requireGuardianConsent(user);
  const item = form.parse(await request.formData());
  invariantResponse(item, form.invalidMessage);
  try {
    const checkout = await startMembershipCheckout(
      { db: context.db, env: context.env },
      {
        user: { ...auditActor(user), email: user.email },
        item,
        origin: new URL(request.url).origin,
        now: new Date(),
        request: await auditRequestInfo(request, context),
      },
    );
    return redirect(checkout.redirectTo);
  } catch (error) {
    throw checkoutErrorResponse(error);
  }
}

/** A refused checkout becomes a plain-text response with its status; anything else rethrows. */
export function checkoutErrorResponse(error: unknown): Response {
  if (error instanceof CheckoutError) {
    return new Response(error.message, {
      status: error.status,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  }
  throw error;
}
