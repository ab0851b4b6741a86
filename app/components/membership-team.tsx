import { Form } from "@remix-run/react";
import { Badge } from "~/components/badge";
import { EmptyState } from "~/components/page";
import { Field, FormError, SubmitButton, useFormReply } from "~/components/forms";
import { TEAM_CAP_MAX } from "~/domain/memberships/team";
import type { FormReply } from "~/lib/form-reply";
import { formatDate } from "~/lib/format";

/**
 * The team of a shared membership (issue 15) on /account/membership/team: the owner's section
 * (seats, teammates with their usage and caps, invitations, the invite form). What a teammate
 * sees instead is ./membership-teammate.
 */

export interface TeamMemberRow {
  id: string;
  role: "OWNER" | "MEMBER";
  name: string;
  email: string;
  usage: number;
  periodCap: number | null;
}

export interface TeamInvitationRow {
  id: string;
  email: string;
  expiresAt: Date;
  expired: boolean;
}

export interface OwnerTeam {
  tierName: string;
  seats: number;
  seatsUsed: number;
  seatsLeft: number;
  members: TeamMemberRow[];
  invitations: TeamInvitationRow[];
}

const capText = (cap: number | null) => (cap === null ? "no cap" : `cap ${cap}`);

/** The owner's "Team" section. */
export function TeamSection({ team, reply }: { team: OwnerTeam; reply?: FormReply | null }) {
  const invite = useFormReply(reply, { intent: "invite" });
  const ownReply = (intent: string, id: string, key: string) =>
    reply && reply.intent === intent && reply.values[key] === id ? reply : undefined;
  const alone = team.seats <= 1;

  return (
    <section aria-labelledby="team-heading" className="team-section" data-testid="team-section">
      <h2 id="team-heading">Team</h2>
      {alone ? (
        <p className="muted">
          {`${team.tierName} is for one person.`} Pro and Managed memberships can be shared:
          teammates you invite spend from the same credits, and you see what each of them uses.
        </p>
      ) : (
        <>
          <p data-testid="team-seats">
            <strong>{`${team.seatsUsed} of ${team.seats} seats`}</strong> used
            {team.invitations.length > 0 &&
              ` · ${team.invitations.length} invitation${team.invitations.length === 1 ? "" : "s"} waiting`}
            .
          </p>
          <ul className="team-list" aria-label="People on this membership">
            {team.members.map((member) => (
              <TeamMember
                key={member.id}
                member={member}
                reply={
                  ownReply("set-cap", member.id, "memberId") ??
                  ownReply("remove-member", member.id, "memberId")
                }
              />
            ))}
          </ul>

          <h3>Invitations</h3>
          {team.invitations.length === 0 ? (
            <EmptyState title="No invitations waiting" />
          ) : (
            <ul className="team-list" aria-label="Invitations waiting">
              {team.invitations.map((invitation) => (
                <li key={invitation.id} className="team-card">
                  <div>
                    <strong>{invitation.email}</strong>
                    <p className="muted">
                      {invitation.expired
                        ? "The link has expired; invite the address again to send a new one."
                        : `Link works until ${formatDate(invitation.expiresAt)}.`}
                    </p>
                  </div>
                  <Form method="post" className="inline-form">
                    <input type="hidden" name="intent" value="revoke-invitation" />
                    <input type="hidden" name="invitationId" value={invitation.id} />
                    <SubmitButton pendingText="Withdrawing…" className="button button--ghost">
                      Withdraw
                    </SubmitButton>
                  </Form>
                </li>
              ))}
            </ul>
          )}

          <h3>Invite a teammate</h3>
          <Form
            method="post"
            className="team-invite"
            // A new list of invitations after a send: a fresh, empty form.
            key={team.invitations
              .map((invitation) => `${invitation.id}:${invitation.expiresAt.getTime()}`)
              .join()}
          >
            <FormError>{invite.formError}</FormError>
            <input type="hidden" name="intent" value="invite" />
            <Field
              label="Email address"
              type="email"
              autoComplete="off"
              required
              maxLength={254}
              meta={invite.field("email")}
              description={
                team.seatsLeft > 0
                  ? `${team.seatsLeft} seat${team.seatsLeft === 1 ? "" : "s"} free. We email a link that works for 7 days; inviting the same address again sends a new link.`
                  : "Every seat is taken or invited. Remove a teammate or withdraw an invitation first; you can still send a waiting invitation again."
              }
            />
            <SubmitButton pendingText="Sending…">Send invitation</SubmitButton>
          </Form>
        </>
      )}
    </section>
  );
}

function TeamMember({ member, reply }: { member: TeamMemberRow; reply?: FormReply }) {
  const cap = useFormReply(reply, { intent: "set-cap" });
  const remove = useFormReply(reply, { intent: "remove-member" });
  const owner = member.role === "OWNER";
  return (
    <li className="team-card" data-testid="team-member">
      <div>
        <strong>{member.name}</strong> {owner && <Badge tone="neutral">owner</Badge>}
        <p className="muted team-card__email">{member.email}</p>
        <p data-testid="team-member-usage">
          {`${member.usage} credits used this period${owner ? "" : ` · ${capText(member.periodCap)}`}`}
        </p>
      </div>
      {!owner && (
        <div className="team-card__actions">
          <Form method="post" className="inline-form">
            <FormError>{cap.formError}</FormError>
            <input type="hidden" name="intent" value="set-cap" />
            <input type="hidden" name="memberId" value={member.id} />
            <Field
              label={`Cap per period for ${member.name}`}
              type="number"
              inputMode="numeric"
              min={0}
              max={TEAM_CAP_MAX}
              step={1}
              placeholder="No cap"
              className="field team-card__cap"
              meta={cap.field("cap", member.periodCap)}
            />
            <SubmitButton pendingText="Saving…" className="button button--ghost">
              Save cap
            </SubmitButton>
          </Form>
          <Form method="post" className="inline-form">
            <FormError>{remove.formError}</FormError>
            <input type="hidden" name="intent" value="remove-member" />
            <input type="hidden" name="memberId" value={member.id} />
            <SubmitButton pendingText="Removing…" className="button button--ghost">
              {`Remove ${member.name}`}
            </SubmitButton>
          </Form>
        </div>
      )}
    </li>
  );
}
