import { Form } from "@remix-run/react";
import type { FormReply } from "~/lib/form-reply";
import type { PlanPageView } from "./membership-plan-page.server";
import { FormError, SelectField, SubmitButton, useFormReply } from "./forms";

/**
 * The plan part of /account/membership (issue 15): tier changes, pause/resume, a failed
 * payment's grace, and the test provider's renewal panel. Posts `intent` = change-tier,
 * cancel-downgrade, pause or resume to /account/membership. The words come from the loader
 * (`planPageView`).
 */

const ACTION = "/account/membership";

/** "Payment failed" / "Paused" / "Moves to …" notices. */
export function PlanNotices({ notices }: { notices: PlanPageView["notices"] }) {
  return (
    <>
      {notices.pastDue && (
        <div className="notice notice--danger" role="status" data-testid="past-due-notice">
          <strong>{notices.pastDue}</strong> Fix the payment by then or the membership ends.
        </div>
      )}
      {notices.paused && (
        <div className="notice" role="status" data-testid="paused-notice">
          {notices.paused}
        </div>
      )}
      {notices.pendingTier && (
        <div className="notice" role="status" data-testid="pending-tier-notice">
          {notices.pendingTier}
        </div>
      )}
    </>
  );
}

/** Change tier, cancel a downgrade, pause and resume (owner only). */
export function MembershipPlan({
  controls,
  reply,
}: {
  controls: NonNullable<PlanPageView["controls"]>;
  reply?: FormReply | null;
}) {
  const tierForm = useFormReply(reply, { intent: "change-tier" });
  const cancelForm = useFormReply(reply, { intent: "cancel-downgrade" });
  const pauseForm = useFormReply(reply, { intent: "pause" });
  const resumeForm = useFormReply(reply, { intent: "resume" });

  return (
    <section aria-labelledby="plan-heading">
      <h2 id="plan-heading">Your plan</h2>
      {controls.canChangeTier ? (
        <>
          <p className="muted">
            Upgrades apply now: you pay the price difference for the rest of the period and get the
            extra credits at once. Downgrades apply at the end of the period.
          </p>
          <FormError>{tierForm.formError}</FormError>
          <ul className="plan-options">
            {controls.tierOptions.map((option) => (
              <li key={option.tier}>
                <Form method="post" action={ACTION} className="inline-form">
                  <input type="hidden" name="intent" value="change-tier" />
                  <span>{option.label}</span>
                  <SubmitButton
                    name="tier"
                    value={option.tier}
                    pendingText="Saving…"
                    className={option.upgrade ? "button" : "button button--ghost"}
                  >
                    {option.button}
                  </SubmitButton>
                </Form>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p className="muted">Plan changes are possible while the membership is active.</p>
      )}

      {controls.cancelDowngrade && (
        <Form method="post" action={ACTION} className="inline-form">
          <FormError>{cancelForm.formError}</FormError>
          <input type="hidden" name="intent" value="cancel-downgrade" />
          <SubmitButton pendingText="Cancelling…" className="button button--ghost">
            {controls.cancelDowngrade}
          </SubmitButton>
        </Form>
      )}

      {controls.canResume ? (
        <Form method="post" action={ACTION} className="inline-form">
          <FormError>{resumeForm.formError}</FormError>
          <input type="hidden" name="intent" value="resume" />
          <SubmitButton pendingText="Resuming…">Resume now</SubmitButton>
        </Form>
      ) : controls.pauseOptions ? (
        <Form method="post" action={ACTION} className="pack-form">
          <FormError>{pauseForm.formError}</FormError>
          <input type="hidden" name="intent" value="pause" />
          <SelectField
            label="Pause for"
            meta={pauseForm.field("months", 1)}
            options={controls.pauseOptions}
          />
          <SubmitButton pendingText="Pausing…" className="button button--ghost">
            Pause membership
          </SubmitButton>
        </Form>
      ) : null}
    </section>
  );
}

/** The test provider's renewal panel (TEST memberships only, owner only). */
export function TestProviderPanel({
  renewal,
}: {
  renewal: NonNullable<PlanPageView["testRenewal"]>;
}) {
  return (
    <section aria-labelledby="test-provider-heading" className="test-provider-panel">
      <h2 id="test-provider-heading">Test provider</h2>
      <p className="muted">
        No payment provider is configured. The renewal for the next period is paid automatically an
        hour before {renewal.periodEnd}; simulate it now instead:
      </p>
      <Form
        method="post"
        action={`/checkout/test/renewal/${renewal.membershipId}`}
        className="inline-form"
      >
        <span>Simulate the renewal payment now:</span>
        <SubmitButton name="outcome" value="succeed" pendingText="Paying…">
          Succeed
        </SubmitButton>
        <SubmitButton
          name="outcome"
          value="fail"
          pendingText="Failing…"
          className="button button--ghost"
        >
          Fail
        </SubmitButton>
      </Form>
    </section>
  );
}
