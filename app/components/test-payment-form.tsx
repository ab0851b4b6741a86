import { Form } from "@remix-run/react";
import type { ReactNode } from "react";
import type { FormReply } from "~/lib/form-reply";
import { FormError, SubmitButton, useFormReply } from "./forms";

/**
 * The test payment provider's two buttons (`outcome` = succeed | fail) while a checkout is
 * pending, or what to show once it is settled. Shared by product and membership checkouts.
 */
export function TestPaymentForm({
  pending,
  settled,
  reply,
}: {
  pending: boolean;
  settled: ReactNode;
  /** The action's answer to a submission it could not read. */
  reply?: FormReply;
}) {
  const form = useFormReply(reply);
  if (!pending) return <p>{settled}</p>;
  return (
    <Form method="post" className="inline-form">
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
    </Form>
  );
}
