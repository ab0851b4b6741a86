import { data, type AppLoadContext } from "@remix-run/cloudflare";
import { TeamFormSchema } from "~/domain/memberships/forms";
import { parseForm } from "~/lib/forms.server";
import { redirectWithToast } from "~/lib/toast.server";
import {
  inviteTeammate,
  leaveMembership,
  removeTeammate,
  revokeInvitation,
  setTeammateCap,
} from "~/services/membership-team.server";
import type { AccountAction } from "./account.server";
import { refusedForm } from "./refusals.server";

/**
 * The team intents of /account/membership/team and /account/membership (`invite`,
 * `revoke-invitation`, `remove-member`, `set-cap`, `leave`): parse → the service → a toast on
 * the page that shows the change (the team page; the plan page for someone who left), or the
 * form again with the refusal.
 */
export async function teamAction(input: {
  context: AppLoadContext;
  account: AccountAction;
  formData: FormData;
  origin: string;
}) {
  const { context, account, formData } = input;
  const submission = parseForm(formData, TeamFormSchema);
  if (!submission.ok) return data(submission.reply, { status: 400 });
  const form = submission.value;
  const db = context.db;
  const who = {
    userId: account.user.id,
    actor: account.actor,
    request: account.request,
    now: account.now,
  };
  const result =
    form.intent === "invite"
      ? await inviteTeammate(db, { ...who, email: form.email, origin: input.origin })
      : form.intent === "revoke-invitation"
        ? await revokeInvitation(db, { ...who, invitationId: form.invitationId })
        : form.intent === "remove-member"
          ? await removeTeammate(db, { ...who, memberId: form.memberId })
          : form.intent === "set-cap"
            ? await setTeammateCap(db, { ...who, memberId: form.memberId, cap: form.cap })
            : await leaveMembership(db, who);
  if (!result.ok) return refusedForm(formData, result);
  const shownAt = form.intent === "leave" ? "/account/membership" : "/account/membership/team";
  return redirectWithToast(context, shownAt, {
    kind: "success",
    message: result.message,
  });
}
