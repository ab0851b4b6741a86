import type { AppLoadContext } from "@remix-run/cloudflare";
import { CursorQuerySchema } from "~/domain/licenses/admin-forms";
import type { AuditActor, AuditRequestInfo } from "~/services/audit.server";
import { auditActor, auditRequestInfo, requireUser, type CurrentUser } from "./auth.server";

/** Someone acting on their own account: who, as whom in the audit log, from where, when. */
export interface AccountAction {
  user: CurrentUser;
  actor: AuditActor;
  request: AuditRequestInfo;
  now: Date;
}

/** The logged-in user about to change something of theirs (log in first otherwise). */
export async function requireAccountAction(
  request: Request,
  context: AppLoadContext,
): Promise<AccountAction> {
  const user = await requireUser(request, context);
  return {
    user,
    actor: auditActor(user),
    request: await auditRequestInfo(request, context),
    now: new Date(),
  };
}

/** `?cursor=` of a keyset-paginated list; a malformed one means the first page. */
export function pageCursor(request: Request): string | null {
  return CursorQuerySchema.parse({ cursor: new URL(request.url).searchParams.get("cursor") })
    .cursor;
}
