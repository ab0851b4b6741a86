import { data, type ActionFunctionArgs } from "@remix-run/cloudflare";
import type { Database } from "#db/client";
import {
  actionCapability,
  ADMIN_ROUTE_POLICY,
  type AdminRouteId,
} from "~/domain/auth/route-policy";
import type { Refusal } from "~/domain/refusal";
import type { AppEnv } from "~/lib/env.server";
import { parseForm } from "~/lib/forms.server";
import { redirectWithToast } from "~/lib/toast.server";
import type { z } from "~/lib/zod";
import type { AuditActor, AuditRequestInfo } from "~/services/audit.server";
import { auditActor, auditRequestInfo, requirePermission, type CurrentUser } from "./auth.server";
import { refusedForm } from "./refusals.server";
import { stepUp } from "./step-up.server";
import { readForm } from "./read-form.server";

/** Who is acting, from where and when: everything a staff service call needs. */
export interface StaffAction {
  user: CurrentUser;
  actor: AuditActor;
  request: AuditRequestInfo;
  now: Date;
  db: Database;
  env: AppEnv;
}

/** A staff action that went through: the toast to show, and where to go (default: this page). */
export interface StaffActionDone {
  ok: true;
  toast: string;
  /** "info" for an outcome that is no news (a save that changed nothing). */
  toastKind?: "success" | "info";
  redirectTo?: string;
}

/**
 * The one shape of every admin action: the form's `intent` picks the capability from the
 * route policy (an unknown intent is a 400, after logging in, so strangers learn nothing),
 * the user must hold it, the schema parses the form, intents that need a fresh two-factor
 * code get one (./step-up.server), `perform` calls the service, and the answer is a redirect
 * with a toast, or the form again with the refusal shown inline.
 */
export async function adminAction<Schema extends z.ZodType>(
  { request, context }: ActionFunctionArgs,
  spec: {
    routeId: AdminRouteId;
    schema: Schema;
    /** Multi-value fields (checkbox groups), passed to `parseForm`. */
    arrays?: readonly string[];
    perform: (form: z.output<Schema>, staff: StaffAction) => Promise<StaffActionDone | Refusal>;
    /** Statuses for single refusal reasons where the route's contract differs from the kind's. */
    statusOverrides?: Readonly<Record<string, number>>;
  },
) {
  const formData = await readForm(request);
  const rawIntent = formData.get("intent");
  const intent = typeof rawIntent === "string" ? rawIntent : null;
  const capability = actionCapability(spec.routeId, intent);
  if (!capability) {
    await requirePermission(request, context, ADMIN_ROUTE_POLICY[spec.routeId].loader);
    throw new Response("This form asked for something we don't know how to do.", { status: 400 });
  }
  const user = await requirePermission(request, context, capability);

  const submission = parseForm(formData, spec.schema, { arrays: spec.arrays });
  if (!submission.ok) return data(submission.reply, { status: 400 });

  const now = new Date();
  const needsCode = await stepUp(
    { request, context },
    { user, routeId: spec.routeId, intent, formData, now },
  );
  if (needsCode) return needsCode;

  const outcome = await spec.perform(submission.value, {
    user,
    actor: auditActor(user),
    request: await auditRequestInfo(request, context),
    now,
    db: context.db,
    env: context.env,
  });
  if (!outcome.ok) return refusedForm(formData, outcome, spec.statusOverrides);
  return redirectWithToast(context, outcome.redirectTo ?? new URL(request.url).pathname, {
    kind: outcome.toastKind ?? "success",
    message: outcome.toast,
  });
}
