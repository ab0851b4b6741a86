import type { Database } from "#db/client";
import type { UserRole } from "#db/schema";
import { auditStatement, type AuditRequestInfo } from "../audit.server";
import { deleteSessionStatement } from "../sessions.server";

export async function logout(
  deps: { db: Database },
  input: {
    user: { id: string; role: UserRole; sessionId: string };
    request: AuditRequestInfo;
    now: Date;
  },
): Promise<void> {
  const { db } = deps;
  await db.batch([
    deleteSessionStatement(db, input.user.sessionId),
    auditStatement(db, {
      actor: { id: input.user.id, role: input.user.role },
      action: "USER_LOGOUT",
      entityType: "session",
      entityId: input.user.sessionId,
      request: input.request,
      at: input.now,
    }),
  ]);
}
