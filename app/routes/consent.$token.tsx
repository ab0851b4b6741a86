import type {
  ActionFunctionArgs,
  HeadersFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { ConsentTokenSchema } from "~/domain/auth/forms";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { SubmitButton } from "~/components/forms";
import { auditRequestInfo } from "~/request/auth.server";
import { redirectWithToast } from "~/lib/toast.server";
import { grantGuardianConsent } from "~/services/auth/guardian-consent.server";
import { checkGuardianConsentToken } from "~/services/auth/signup.server";

/**
 * The link a guardian gets by email. GET only shows who is asking (it changes nothing, so mail
 * scanners that open links can't give consent); the "I agree" button POSTs.
 */

export const meta: MetaFunction = () => [
  { title: "Guardian consent — Studio Store" },
  { name: "robots", content: "noindex" },
];

// The URL carries a live token: never cache the page anywhere.
const NO_STORE = { "Cache-Control": "no-store" };

export const headers: HeadersFunction = () => NO_STORE;

type Refusal = "invalid" | "expired" | "used";
type PageData = { state: "pending"; minor: { name: string; email: string } } | { state: Refusal };

const STATUS: Record<Refusal, number> = { invalid: 404, expired: 410, used: 200 };

const refusal = (state: Refusal) =>
  Response.json({ state } satisfies PageData, { status: STATUS[state], headers: NO_STORE });

export async function loader({ params, context }: LoaderFunctionArgs) {
  const token = ConsentTokenSchema.safeParse(params.token);
  if (!token.success) return refusal("invalid");
  const check = await checkGuardianConsentToken(
    { db: context.db, env: context.env },
    token.data,
    new Date(),
  );
  if (!check.ok) return refusal(check.reason);
  return Response.json(
    {
      state: "pending",
      minor: { name: check.user.name, email: check.user.email },
    } satisfies PageData,
    { headers: NO_STORE },
  );
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const token = ConsentTokenSchema.safeParse(params.token);
  if (!token.success) return refusal("invalid");
  const result = await grantGuardianConsent(
    { db: context.db, env: context.env },
    { token: token.data, now: new Date(), request: await auditRequestInfo(request, context) },
  );
  if (!result.ok) return refusal(result.reason);
  return redirectWithToast(
    context,
    `/consent/${token.data}`,
    {
      kind: "success",
      message: `Thank you. ${result.minorName} can now buy products and start projects.`,
    },
    { headers: NO_STORE },
  );
}

export default function GuardianConsent() {
  const loaderData = useLoaderData<PageData>();
  const actionData = useActionData<PageData>();
  const data = actionData ?? loaderData;

  return (
    <section className="auth-card" aria-labelledby="consent-title">
      {data.state === "pending" ? (
        <>
          <h1 id="consent-title">Your consent is requested</h1>
          <p>
            <strong>{data.minor.name}</strong> ({data.minor.email}) signed up to Studio Store and
            told us they are under 18. They asked for your agreement as their parent or guardian.
          </p>
          <p>
            Until you agree, they can browse the store but can&apos;t buy products or start a paid
            project. If you agree, they can do both with their own account.
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
        <RefusalMessage state={data.state} />
      )}
    </section>
  );
}

function RefusalMessage({ state }: { state: Refusal }) {
  switch (state) {
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
