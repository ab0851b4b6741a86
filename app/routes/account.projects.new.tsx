import {
  data,
  type ActionFunctionArgs,
  type HeadersFunction,
  type LinksFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/cloudflare";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FeaturePaused } from "~/components/feature-paused";
import {
  Field,
  FormError,
  SelectField,
  SubmitButton,
  TextAreaField,
  useFormReply,
} from "~/components/forms";
import { needsGuardianConsent } from "~/domain/auth/age";
import { PROJECT_LIMITS, SERVICE_CATEGORY_OPTIONS } from "~/domain/projects/labels";
import { ProjectRequestFormSchema } from "~/domain/projects/project-forms";
import { parseForm } from "~/lib/forms.server";
import { redirectWithToast } from "~/lib/toast.server";
import { requireAccountAction } from "~/request/account.server";
import { requireUser } from "~/request/auth.server";
import { featureRefusal } from "~/request/feature-gate.server";
import { refusedForm } from "~/request/refusals.server";
import { readForm } from "~/request/read-form.server";
import { requestProject } from "~/services/projects/projects.server";
import studioStyles from "~/styles/studio.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: studioStyles }];

export const meta: MetaFunction = () => [{ title: "Request a project — Studio Store" }];

export const headers: HeadersFunction = () => ({ "Cache-Control": "private, no-store" });

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const today = new Date().toISOString().slice(0, 10);
  // The studio paused (feature flag): the page says so instead of offering the form.
  const paused = (await featureRefusal(context, "studio"))?.message ?? null;
  return { needsConsent: needsGuardianConsent(user), today, paused };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const acting = await requireAccountAction(request, context);
  const formData = await readForm(request);
  const paused = await featureRefusal(context, "studio");
  if (paused) return refusedForm(formData, paused);
  const submission = parseForm(formData, ProjectRequestFormSchema);
  if (!submission.ok) return data(submission.reply, { status: 400 });
  const result = await requestProject({ db: context.db }, { ...acting, form: submission.value });
  if (!result.ok) return refusedForm(formData, result);
  return redirectWithToast(context, `/account/projects/${result.projectId}`, {
    kind: "success",
    message: "Project requested. We'll reply within two working days.",
  });
}

const CATEGORY_CHOICES = [{ value: "", label: "Choose a category" }, ...SERVICE_CATEGORY_OPTIONS];

export default function NewProject() {
  const { needsConsent, today, paused } = useLoaderData<typeof loader>();
  const form = useFormReply(useActionData<typeof action>());
  return (
    <div className="studio-page">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/account/projects">Projects</Link> <span aria-hidden="true">/</span> New
      </nav>
      <header className="page-header">
        <h1>Request a project</h1>
        <p>
          Tell us what you need. We reply with the scope, the features we agree on, a start date and
          a deadline; nothing is charged until then.
        </p>
      </header>
      {needsConsent && (
        <p className="notice" role="status">
          Your parent or guardian needs to agree before you can start a project. We&apos;ve emailed
          them a link.
        </p>
      )}
      {paused ? (
        <FeaturePaused message={paused} />
      ) : (
        <Form method="post" className="form-stack studio-panel">
          <FormError>{form.formError}</FormError>
          <Field label="Name" meta={form.field("name")} required maxLength={PROJECT_LIMITS.name} />
          <SelectField
            label="Category"
            meta={form.field("category")}
            options={CATEGORY_CHOICES}
            required
          />
          <TextAreaField
            label="Description"
            description="What should the project do, for whom, and what do you have already?"
            meta={form.field("description")}
            required
            maxLength={PROJECT_LIMITS.description}
            rows={6}
          />
          <Field
            label="Desired deadline"
            type="date"
            meta={form.field("deadline")}
            required
            min={today}
          />
          <TextAreaField
            label="Budget notes (optional)"
            meta={form.field("budgetNotes")}
            maxLength={PROJECT_LIMITS.budgetNotes}
            rows={3}
          />
          <SubmitButton pendingText="Sending…">Request project</SubmitButton>
        </Form>
      )}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
