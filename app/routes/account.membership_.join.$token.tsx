import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError, SubmitButton } from "~/components/forms";
import { PageHeader } from "~/components/page";
import { formatDate } from "~/lib/format";
import { redirectWithToast } from "~/lib/toast.server";
import { requireAccountAction } from "~/request/account.server";
import { requireUser } from "~/request/auth.server";
import { refusalStatus } from "~/request/refusals.server";
import { acceptInvitation, findInvitation } from "~/services/membership-team.server";

/**
 * `/account/membership/join/<token>`: the link of an emailed invitation to a shared membership
 * (issue 15). GET shows who invites you to what (it changes nothing, so mail scanners that open
 * links can't accept); "Join" POSTs. Logged-out visitors are sent to log in (the account layout
 * and this loader keep the link as `redirectTo`; the log-in page links to sign-up).
 */

export const meta: MetaFunction = () => [
  { title: "Join a membership — Studio Store" },
  { name: "robots", content: "noindex" },
];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const found = await findInvitation(context.db, { token: params.token, now: new Date() });
  if (!found.ok) {
    return data(
      { invitation: null, refusal: found.message, viewerEmail: user.email },
      { status: refusalStatus(found) },
    );
  }
  const { invitation } = found;
  return {
    invitation: {
      ownerName: invitation.ownerName,
      tierName: invitation.tierName,
      email: invitation.email,
      expiresAt: invitation.expiresAt,
    },
    refusal: null,
    viewerEmail: user.email,
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const account = await requireAccountAction(request, context);
  const result = await acceptInvitation(context.db, {
    userId: account.user.id,
    actor: account.actor,
    request: account.request,
    now: account.now,
    token: params.token,
  });
  if (!result.ok) {
    return data(
      { formError: result.message, reason: result.reason },
      {
        status: refusalStatus(result),
      },
    );
  }
  return redirectWithToast(context, "/account/membership", {
    kind: "success",
    message: `You joined ${result.ownerName}'s membership: you can spend its credits now.`,
  });
}

export default function JoinMembership() {
  const { invitation, refusal, viewerEmail } = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  return (
    <>
      <PageHeader title="Join a membership" />
      {invitation ? (
        <section className="auth-card" aria-labelledby="join-heading">
          <h2 id="join-heading">
            {`${invitation.ownerName} invited you to their ${invitation.tierName} membership`}
          </h2>
          <p>
            As a teammate you spend credits from {invitation.ownerName}&apos;s pool on work from the
            studio (add-ons to your projects). {invitation.ownerName} pays for the membership, sees
            what each teammate uses and may set a cap on it. You can leave at any time.
          </p>
          <p className="muted">
            Sent to {invitation.email}; the link works until {formatDate(invitation.expiresAt)}.
          </p>
          {viewerEmail !== invitation.email && (
            <p className="form-error" role="note">
              You are logged in as {viewerEmail}. Only {invitation.email} can accept: log out and
              log in with that address.
            </p>
          )}
          <Form method="post" className="form-stack">
            <FormError>{reply?.formError}</FormError>
            <SubmitButton pendingText="Joining…">Join the membership</SubmitButton>
          </Form>
        </section>
      ) : (
        <section className="auth-card" aria-labelledby="join-heading">
          <h2 id="join-heading">This invitation can&apos;t be used</h2>
          <p>{refusal}</p>
          <p>
            <Link to="/account/membership">Go to your membership</Link>
          </p>
        </section>
      )}
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
