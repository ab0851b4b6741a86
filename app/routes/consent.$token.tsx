import {
  data,
  type ActionFunctionArgs,
  type HeadersFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { SubmitButton } from "~/components/forms";
import type { Refusal } from "~/domain/refusal";
import { redirectWithToast } from "~/lib/toast.server";
import { auditRequestInfo, getCurrentUser } from "~/request/auth.server";
import { refusalStatus } from "~/request/refusals.server";
import {
  checkGuardianConsent,
  grantGuardianConsent,
  type ConsentLinkRefusal,
} from "~/services/auth/guardian-consent.server";

/**
 * The link a guardian gets by email (only ever sent to the guardian's address). GET only shows
 * who is asking and what is agreed to (it changes nothing, so mail scanners that open links
 * can't give consent); the "I agree" button POSTs. The minor's own session is refused.
 */

export const meta: MetaFunction = () => [
  { title: "Guardian consent — Studio Store" },
  { name: "robots", content: "noindex" },
];

// The URL carries a live token: never cache the page anywhere.
const NO_STORE = { "Cache-Control": "no-store" };

export const headers: HeadersFunction = () => NO_STORE;

/**
 * A spent link is where the guardian lands after agreeing (the action redirects here), so
 * "consent already given" is a page that worked, not an error.
 */
const STATUS_OVERRIDES = { used: 200 };

const refused = (refusal: Refusal<ConsentLinkRefusal>) =>
  data(
    { minor: null, refused: refusal.reason },
    { status: refusalStatus(refusal, STATUS_OVERRIDES), headers: NO_STORE },
  );

/** Who is opening the link, when logged in: the minor may not consent for themselves. */
const viewerId = async (request: Request, context: LoaderFunctionArgs["context"]) =>
  (await getCurrentUser(request, context))?.id ?? null;

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const check = await checkGuardianConsent(
    { db: context.db, env: context.env },
    params.token,
    new Date(),
    await viewerId(request, context),
  );
  if (!check.ok) return refused(check);
  const { name, email } = check.user;
  return data({ minor: { name, email }, refused: null }, { headers: NO_STORE });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const result = await grantGuardianConsent(
    { db: context.db, env: context.env },
    {
      token: params.token,
      now: new Date(),
      request: await auditRequestInfo(request, context),
      viewerId: await viewerId(request, context),
    },
  );
  if (!result.ok) return refused(result);
  return redirectWithToast(
    context,
    new URL(request.url).pathname,
    {
      kind: "success",
      message: `Thank you. ${result.minorName} can now buy products and start projects.`,
    },
    { headers: NO_STORE },
  );
}

export default function GuardianConsent() {
  const loaderData = useLoaderData<typeof loader>();
  const { minor, refused } = useActionData<typeof action>() ?? loaderData;

  return (
    <section className="auth-card" aria-labelledby="consent-title">
      {minor ? (
        <>
          <h1 id="consent-title">Your consent is requested</h1>
          <p>
            <strong>{minor.name}</strong> ({minor.email}) signed up to Studio Store and told us they
            are under 18. They asked for your agreement as their parent or guardian.
          </p>
          <h2>What you agree to</h2>
          <p>
            That <strong>{minor.name}</strong> may use their own Studio Store account to:
          </p>
          <ul data-testid="consent-scope">
            <li>buy products and licenses, and memberships and credit packs, paying themselves;</li>
            <li>download the files of what they bought;</li>
            <li>request design and build projects from our studio, and add-ons to them.</li>
          </ul>
          <p>Until you agree, they can browse the store but can&apos;t do any of this.</p>
          <h2>What we keep</h2>
          <p>
            Their name, email address, date of birth and your email address; what they buy and
            download, their projects, and a record of sign-ins (with IP addresses only as unreadable
            hashes). We never sell any of it. Details are on our{" "}
            <Link to="/privacy">privacy page</Link>.
          </p>
          <h2>Changing your mind</h2>
          <p>
            You can withdraw your consent at any time: reply to the email that brought you here and
            we stop the account from buying and requesting projects, and delete it if you ask.
          </p>
          <Form method="post" className="form-stack">
            <SubmitButton pendingText="Recording your consent…">I agree</SubmitButton>
          </Form>
          <p className="auth-card__footer">
            If you don&apos;t know who this is, or you don&apos;t agree, close this page: nothing
            changes.
          </p>
        </>
      ) : (
        <RefusalMessage reason={refused} />
      )}
    </section>
  );
}

function RefusalMessage({ reason }: { reason: ConsentLinkRefusal }) {
  switch (reason) {
    case "used":
      return (
        <>
          <h1 id="consent-title">Consent has been given</h1>
          <p>
            This account already has a parent&apos;s or guardian&apos;s consent. There is nothing
            more to do.
          </p>
          <p className="auth-card__footer">
            <Link to="/">Visit Studio Store</Link>
          </p>
        </>
      );
    case "expired":
      return (
        <>
          <h1 id="consent-title">This link has expired</h1>
          <p>
            Consent links work for 14 days. Ask the person who signed up to send a new one from
            their account page.
          </p>
        </>
      );
    case "self-consent":
      return (
        <>
          <h1 id="consent-title">Your guardian has to agree themselves</h1>
          <p>
            This link is for your parent or guardian. They need to open it from their own email, not
            while logged in to your account.
          </p>
        </>
      );
    case "invalid":
      return (
        <>
          <h1 id="consent-title">This link doesn&apos;t work</h1>
          <p>
            It may be incomplete (copy the whole link from the email), or a newer link has replaced
            it. Ask the person who signed up to send a new one from their account page.
          </p>
        </>
      );
  }
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
