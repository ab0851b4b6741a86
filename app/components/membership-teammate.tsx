import { Form } from "@remix-run/react";
import { Facts } from "~/components/facts";
import { FormError, SubmitButton, useFormReply } from "~/components/forms";
import type { FormReply } from "~/lib/form-reply";

/**
 * What a teammate of a shared membership (issue 15) sees on /account/membership instead of the
 * billing controls: the pool they spend from, their own usage and cap, and Leave.
 */

export interface TeammateMembership {
  ownerName: string;
  tierName: string;
  status: string;
  balance: number;
  usage: number;
  periodCap: number | null;
  /** The period's end, as the page shows it. */
  periodEnd: string;
}

/** What a teammate sees: the pool they spend from, their own usage and cap, and Leave. */
export function TeammateView({
  membership,
  reply,
}: {
  membership: TeammateMembership;
  reply?: FormReply | null;
}) {
  const leave = useFormReply(reply, { intent: "leave" });
  const left =
    membership.periodCap === null ? null : Math.max(0, membership.periodCap - membership.usage);
  return (
    <>
      <p>
        You spend credits from <strong>{membership.ownerName}</strong>&apos;s {membership.tierName}{" "}
        membership. The owner pays for it and manages its billing.
      </p>
      <Facts
        className="membership-summary"
        facts={[
          {
            label: "Pool balance",
            value: `${membership.balance} credits`,
            testId: "credit-balance",
          },
          { label: "You used this period", value: membership.usage, testId: "teammate-usage" },
          {
            label: "Your cap",
            value: membership.periodCap === null ? "No cap" : `${membership.periodCap} credits`,
          },
          { label: "Period ends", value: membership.periodEnd },
        ]}
      />
      {left !== null && (
        <p className="muted">
          {`You can spend ${left} more credit${left === 1 ? "" : "s"} this period.`}
        </p>
      )}
      <section aria-labelledby="leave-heading">
        <h2 id="leave-heading">Leave the team</h2>
        <p className="muted">
          You stop spending from this membership at once; what you already asked for stays.
        </p>
        <Form method="post" className="inline-form">
          <FormError>{leave.formError}</FormError>
          <input type="hidden" name="intent" value="leave" />
          <SubmitButton pendingText="Leaving…" className="button button--ghost">
            {`Leave ${membership.ownerName}'s membership`}
          </SubmitButton>
        </Form>
      </section>
    </>
  );
}
