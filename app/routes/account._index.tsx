import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { needsGuardianConsent } from "~/domain/auth/age";
import { requireUser } from "~/request/auth.server";

export const meta: MetaFunction = () => [{ title: "Your account — Studio Store" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  return Response.json({
    name: user.name,
    email: user.email,
    role: user.role,
    twoFactorEnabled: user.twoFactorEnabled,
    consentPending: needsGuardianConsent(user),
  });
}

type LoaderData = {
  name: string;
  email: string;
  role: string;
  twoFactorEnabled: boolean;
  consentPending: boolean;
};

export default function AccountOverview() {
  const account = useLoaderData<LoaderData>();
  return (
    <>
      <header className="page-header">
        <h1>Hello, {account.name}</h1>
        <p>{account.email}</p>
      </header>

      {account.consentPending && (
        <section className="notice" aria-labelledby="consent-title" data-testid="consent-pending">
          <h2 id="consent-title">Waiting for your guardian</h2>
          <p>
            We emailed your parent or guardian a link to agree to your account. Until they do, you
            can browse the store, but you can&apos;t buy or start a project.
          </p>
          <Form method="post" action="/account/consent">
            <button type="submit" className="button button--ghost">
              Send the email again
            </button>
          </Form>
        </section>
      )}

      <dl className="facts account-facts">
        <div>
          <dt>Role</dt>
          <dd>{account.role}</dd>
        </div>
        <div>
          <dt>Two-factor authentication</dt>
          <dd>
            {account.twoFactorEnabled ? "On" : "Off"} · <Link to="/account/security">Manage</Link>
          </dd>
        </div>
      </dl>
    </>
  );
}
