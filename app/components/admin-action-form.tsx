import { Form } from "@remix-run/react";
import { useId, type ReactNode } from "react";
import { REASON_MAX_LENGTH } from "~/domain/auth/moderation";
import type { FormReply } from "~/lib/form-reply";
import { FormError, SubmitButton, TextAreaField, useFormReply } from "./forms";
import { StepUpCodeField } from "./step-up-code-field";

export type FormFields = ReturnType<typeof useFormReply>;

/**
 * One staff action on a detail page (docs/patterns.md, "An admin action"): a card with what
 * the action does, its fields, the reason that goes into the audit log, and a submit button
 * named `intent`. The action's reply shows here only when it answers this form's intent.
 * When the action asks for a fresh two-factor code (staff step-up), the card shows a code
 * field above the button, with everything else as it was typed.
 */
export function AdminActionForm({
  intent,
  reply,
  title,
  description,
  pendingText,
  submitLabel = title,
  danger = false,
  reason = {},
  children,
}: {
  intent: string;
  reply: FormReply | null | undefined;
  title: string;
  description?: ReactNode;
  pendingText: string;
  submitLabel?: ReactNode;
  danger?: boolean;
  /** The reason box: its label and name, or `false` for a form without one. */
  reason?: { label?: string; name?: string; optional?: boolean } | false;
  /** Fields above the reason, given the reply's ids, errors and kept values. */
  children?: (form: FormFields) => ReactNode;
}) {
  const form = useFormReply(reply, { intent });
  const askCode = reply?.stepUp === true && reply.intent === intent;
  const titleId = useId();
  return (
    <Form method="post" className="admin-panel form-stack" aria-labelledby={titleId}>
      <h3 id={titleId}>{title}</h3>
      {description && <p className="muted">{description}</p>}
      <FormError>{form.formError}</FormError>
      {children?.(form)}
      {reason && (
        <TextAreaField
          label={reason.label ?? "Reason"}
          meta={form.field(reason.name ?? "reason")}
          required={!reason.optional}
          maxLength={REASON_MAX_LENGTH}
        />
      )}
      {askCode && <StepUpCodeField meta={form.field("code")} />}
      <SubmitButton
        name="intent"
        value={intent}
        pendingText={pendingText}
        className={danger ? "button button--danger" : "button"}
      >
        {submitLabel}
      </SubmitButton>
    </Form>
  );
}
