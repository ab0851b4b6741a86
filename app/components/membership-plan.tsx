import { Form } from "@remix-run/react";
import type { MembershipStatus, MembershipTier } from "#db/schema/enums";
import { PAUSE_MONTH_OPTIONS, tierChange } from "~/domain/memberships/lifecycle";
import { TIER_ORDER, TIERS } from "~/domain/memberships/tiers";
import { formatMoney } from "~/domain/money";
import type { FormReply } from "~/lib/form-reply";
import { formatDate } from "~/lib/format";
import { FormError, SelectField, SubmitButton, useFormReply } from "./forms";

/**
 * The plan part of /account/membership (issue 15): tier changes, pause/resume, a failed
 * payment's grace, and the test provider's renewal panel. Posts `intent` = change-tier,
 * cancel-downgrade, pause or resume to /account/membership.
 */

export interface PlanView {
  id: string;
  tier: MembershipTier;
  status: MembershipStatus;
  autoRenew: boolean;
  pendingTier: MembershipTier | null;
  currentPeriodEnd: Date;
  pauseEndsAt: Date | null;
  graceEndsAt: Date | null;
  isOwner: boolean;
  testProvider: boolean;
}

const ACTION = "/account/membership";

/** "Payment failed" / "Paused" notices shown to everyone on the membership. */
export function PlanNotices({ plan }: { plan: PlanView }) {
  return (
    <>
      {plan.status === "PAST_DUE" && plan.graceEndsAt && (
        <div className="notice notice--danger" role="status" data-testid="past-due-notice">
          <strong>Payment failed: credits are on hold until {formatDate(plan.graceEndsAt)}.</strong>{" "}
          Fix the payment by then or the membership ends.
        </div>
      )}
      {plan.status === "PAUSED" && plan.pauseEndsAt && (
        <div className="notice" role="status" data-testid="paused-notice">
          Paused until {formatDate(plan.pauseEndsAt)}: no payment and no new credits until then.
          Your credits are kept.
        </div>
      )}
      {plan.pendingTier && (
        <div className="notice" role="status" data-testid="pending-tier-notice">
          Moves to {TIERS[plan.pendingTier].name} on {formatDate(plan.currentPeriodEnd)}.
        </div>
      )}
    </>
  );
}

/** Change tier, cancel a downgrade, pause and resume (owner only). */
export function MembershipPlan({ plan, reply }: { plan: PlanView; reply?: FormReply | null }) {
  const tierForm = useFormReply(reply, { intent: "change-tier" });
  const cancelForm = useFormReply(reply, { intent: "cancel-downgrade" });
  const pauseForm = useFormReply(reply, { intent: "pause" });
  const resumeForm = useFormReply(reply, { intent: "resume" });
  if (!plan.isOwner || plan.status === "EXPIRED") return null;
  const others = TIER_ORDER.filter((tier) => tier !== plan.tier && tier !== plan.pendingTier);

  return (
    <section aria-labelledby="plan-heading">
      <h2 id="plan-heading">Your plan</h2>
      {plan.status === "ACTIVE" ? (
        <>
          <p className="muted">
            Upgrades apply now: you pay the price difference for the rest of the period and get the
            extra credits at once. Downgrades apply at the end of the period.
          </p>
          <FormError>{tierForm.formError}</FormError>
          <ul className="plan-options">
            {others.map((tier) => {
              const change = tierChange(plan.tier, tier);
              const config = TIERS[tier];
              return (
                <li key={tier}>
                  <Form method="post" action={ACTION} className="inline-form">
                    <input type="hidden" name="intent" value="change-tier" />
                    <span>
                      {config.name}: {config.creditsPerPeriod} credits,{" "}
                      {formatMoney(config.priceCents, config.currency)} / period
                    </span>
                    <SubmitButton
                      name="tier"
                      value={tier}
                      pendingText="Saving…"
                      className={change === "upgrade" ? "button" : "button button--ghost"}
                    >
                      {change === "upgrade"
                        ? `Upgrade to ${config.name}`
                        : `Downgrade to ${config.name}`}
                    </SubmitButton>
                  </Form>
                </li>
              );
            })}
          </ul>
        </>
      ) : (
        <p className="muted">Plan changes are possible while the membership is active.</p>
      )}

      {plan.pendingTier && (
        <Form method="post" action={ACTION} className="inline-form">
          <FormError>{cancelForm.formError}</FormError>
          <input type="hidden" name="intent" value="cancel-downgrade" />
          <SubmitButton pendingText="Cancelling…" className="button button--ghost">
            Keep {TIERS[plan.tier].name} (cancel the downgrade)
          </SubmitButton>
        </Form>
      )}

      {plan.status === "PAUSED" ? (
        <Form method="post" action={ACTION} className="inline-form">
          <FormError>{resumeForm.formError}</FormError>
          <input type="hidden" name="intent" value="resume" />
          <SubmitButton pendingText="Resuming…">Resume now</SubmitButton>
        </Form>
      ) : plan.status === "ACTIVE" && plan.autoRenew && !plan.pendingTier ? (
        <Form method="post" action={ACTION} className="pack-form">
          <FormError>{pauseForm.formError}</FormError>
          <input type="hidden" name="intent" value="pause" />
          <SelectField
            label="Pause for"
            meta={pauseForm.field("months", 1)}
            options={PAUSE_MONTH_OPTIONS.map((months) => ({
              value: String(months),
              label: months === 1 ? "1 month" : `${months} months`,
            }))}
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
export function TestProviderPanel({ plan }: { plan: PlanView }) {
  if (!plan.testProvider || !plan.isOwner) return null;
  if (plan.status !== "ACTIVE" && plan.status !== "PAST_DUE") return null;
  return (
    <section aria-labelledby="test-provider-heading" className="test-provider-panel">
      <h2 id="test-provider-heading">Test provider</h2>
      <p className="muted">
        No payment provider is configured. The renewal for the next period is paid automatically an
        hour before {formatDate(plan.currentPeriodEnd)}; simulate it now instead:
      </p>
      <Form method="post" action={`/checkout/test/renewal/${plan.id}`} className="inline-form">
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
