import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { Facts } from "~/components/facts";
import { SubmitButton } from "~/components/forms";
import { PageHeader } from "~/components/page-header";
import { needsGuardianConsent } from "~/domain/auth/age";
import { requireUser } from "~/request/auth.server";

export const meta: MetaFunction = () => [{ title: "Your account — Studio Store" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  return {
    name: user.name,
    email: user.email,
    role: user.role,
    twoFactorEnabled: user.twoFactorEnabled,
    consentPending: needsGuardianConsent(user),
  };
}

export default function AccountOverview() {
  const account = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader title={`Hello, ${account.name}`}>{account.email}</PageHeader>

      {account.consentPending && (
        <section className="notice" aria-labelledby="consent-title" data-testid="consent-pending">
          <h2 id="consent-title">Waiting for your guardian</h2>
          <p>
            We emailed your parent or guardian a link to agree to your account. Until they do, you
            can browse the store, but you can&apos;t buy or start a project.
          </p>
          <Form method="post" action="/account/consent">
            <SubmitButton pendingText="Sending…" className="button button--ghost">
              Send the email again
            </SubmitButton>
          </Form>
        </section>
      )}

      <Facts
        className="facts account-facts"
        facts={[
          { label: "Role", value: account.role },
          {
            label: "Two-factor authentication",
            value: (
              <>
                {account.twoFactorEnabled ? "On" : "Off"} ·{" "}
                <Link to="/account/security">Manage</Link>
              </>
            ),
          },
        ]}
      />
    </>
  );
}
