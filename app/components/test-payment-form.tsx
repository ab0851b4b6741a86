import { Form, Link } from "@remix-run/react";
import type { ReactNode } from "react";
import type { FormReply } from "~/lib/form-reply";
import { FormError, SubmitButton, useFormReply } from "./forms";

/**
 * The test payment provider's two buttons (`outcome` = succeed | fail) while a checkout is
 * pending, or what to show once it is settled. Shared by product and membership checkouts.
 * With `cancelHref`, a Cancel link leaves the order pending and goes back there.
 */
export function TestPaymentForm({
  pending,
  settled,
  reply,
  cancelHref,
}: {
  pending: boolean;
  settled: ReactNode;
  cancelHref?: string;
  /** The action's answer to a submission it could not read. */
  reply?: FormReply;
}) {
  const form = useFormReply(reply);
  if (!pending) return <p>{settled}</p>;
  return (
    <Form method="post" className="inline-form test-payment-form">
      <FormError>{form.formError ?? form.field("outcome").error}</FormError>
      <SubmitButton name="outcome" value="succeed" pendingText="Paying…">
        Pay (test)
      </SubmitButton>
      <SubmitButton
        name="outcome"
        value="fail"
        pendingText="Failing…"
        className="button button--ghost"
      >
        Fail payment
      </SubmitButton>
      {cancelHref && (
        <Link to={cancelHref} className="test-payment-form__cancel">
          Cancel
        </Link>
      )}
    </Form>
  );
}
