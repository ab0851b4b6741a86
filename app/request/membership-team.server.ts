import { data, type AppLoadContext } from "@remix-run/cloudflare";
import { TeamFormSchema } from "~/domain/memberships/forms";
import { parseForm, refusalReply } from "~/lib/forms.server";
import type { FormReply } from "~/lib/form-reply";
import { redirectWithToast } from "~/lib/toast.server";
import {
  inviteTeammate,
  leaveMembership,
  removeTeammate,
  revokeInvitation,
  setTeammateCap,
} from "~/services/membership-team.server";
import type { AccountAction } from "./account.server";
import { refusalResponse, refusalStatus } from "./refusals.server";

const TEAM_PAGE = "/account/membership/team";

/**
 * The team intents of /account/membership/team and /account/membership (`invite`,
 * `revoke-invitation`, `remove-member`, `set-cap`, `leave`): parse → the service → a toast on
 * the page that shows the change (the team page; the plan page for someone who left).
 *
 * A refusal comes back inline, on the form, everything typed kept, with its status. Where that
 * form is not on the page that answers (`refusalsAboveThePage`: /account/membership, which
 * keeps accepting team intents by the URL contract but shows the team on its own page), the
 * sentence also becomes the reply's form error, which that page shows at its top.
 */
export async function teamAction(input: {
  context: AppLoadContext;
  account: AccountAction;
  formData: FormData;
  origin: string;
  refusalsAboveThePage?: boolean;
}) {
  const { context, account, formData } = input;
  const refused = (reply: FormReply, status: number) =>
    data(
      input.refusalsAboveThePage && reply.intent !== "leave"
        ? { ...reply, formError: replyMessage(reply) }
        : reply,
      { status },
    );
  const submission = parseForm(formData, TeamFormSchema);
  if (!submission.ok) return refused(submission.reply, 400);
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
  if (!result.ok) {
    // "There is no such record" is the route's 404 page, as everywhere (refusedForm).
    if (result.kind === "not-found") throw refusalResponse(result);
    return refused(refusalReply(formData, result), refusalStatus(result));
  }
  const shownAt = form.intent === "leave" ? "/account/membership" : TEAM_PAGE;
  return redirectWithToast(context, shownAt, {
    kind: "success",
    message: result.message,
  });
}

/** The sentence of a refused form: its form error, else its first field's. */
function replyMessage(reply: FormReply): string {
  return (
    reply.formError ??
    Object.values(reply.fieldErrors)[0] ??
    "That change could not be made. Check the form and try again."
  );
}
