import { and, asc, eq, getTableColumns, gt, or, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Database } from "#db/client";
import {
  accountTokens,
  auditLogs,
  creditTransactions,
  deviceSessions,
  digitalProductPurchases,
  digitalProducts,
  downloadResetRequests,
  downloads,
  emailOutbox,
  licenseActivations,
  licenses,
  membershipCheckouts,
  membershipInvoices,
  membershipInvitations,
  membershipMembers,
  memberships,
  projectPhaseHistory,
  serviceAddOns,
  serviceProjects,
  sessions,
  users,
} from "#db/schema";
import type { ExportSection } from "~/domain/privacy/personal-data-map";
import {
  EXPORT_PAGE_SIZE,
  EXPORT_RATE_LIMIT,
  exportFileName,
  maskedKeyForExport,
} from "~/domain/privacy/export";
import { refuse, type Result } from "~/domain/refusal";
import { recordAudit, type AuditActor, type AuditRequestInfo } from "../audit.server";
import { consumeRateLimit } from "../rate-limit.server";

/**
 * "Export my data" (issue 13 item 6): one JSON document with everything held about a person,
 * streamed section by section, each section read in keyset pages of EXPORT_PAGE_SIZE rows, so
 * a large account never sits in memory. Secrets stay out: no password hash, 2FA secret,
 * recovery codes, token hashes, device fingerprints or full license keys.
 * Which table lands in which section: app/domain/privacy/personal-data-map.ts.
 */

export type ExportRefusal = "export-rate-limited";

export async function startDataExport(
  db: Database,
  input: { userId: string; actor: AuditActor; request: AuditRequestInfo; now: Date },
): Promise<Result<{ body: ReadableStream<Uint8Array>; fileName: string }, ExportRefusal>> {
  const { now } = input;
  const decision = await consumeRateLimit(db, {
    ...EXPORT_RATE_LIMIT,
    subject: input.userId,
    now,
  });
  if (!decision.allowed) {
    const minutes = Math.max(1, Math.ceil(decision.retryAfterSeconds / 60));
    return refuse(
      "limit",
      "export-rate-limited",
      `You can download your data ${EXPORT_RATE_LIMIT.limit} times an hour. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`,
    );
  }
  await recordAudit(db, {
    actor: input.actor,
    action: "DATA_EXPORTED",
    entityType: "user",
    entityId: input.userId,
    request: input.request,
    at: now,
  });
  return { ok: true, body: exportStream(db, input.userId, now), fileName: exportFileName(now) };
}

// ---- Sections -----------------------------------------------------------------------------

type Row = Record<string, unknown> & { id: string };

interface Section {
  name: ExportSection;
  /** One keyset page: rows after `after` (by id), at most `limit`. */
  page(db: Database, owner: Owner, after: string | null, limit: number): Promise<Row[]>;
}

interface Owner {
  id: string;
  email: string;
}

/** A table's columns without the ones that must never leave the database. */
function columnsWithout<T extends SQLiteTable, K extends keyof T["_"]["columns"]>(
  table: T,
  secret: readonly K[],
): Omit<T["_"]["columns"], K> {
  const columns: Record<string, unknown> = { ...getTableColumns(table) };
  for (const key of secret) delete columns[key as string];
  return columns as Omit<T["_"]["columns"], K>;
}

/** Rows of one table (or a join) whose `scope` holds, by ascending `id`, after `after`. */
function keysetPage(idColumn: SQLiteColumn, scope: SQL | undefined, after: string | null) {
  return {
    where: after ? and(scope, gt(idColumn, after)) : scope,
    orderBy: asc(idColumn),
  };
}

const purchaseColumns = {
  ...getTableColumns(digitalProductPurchases),
  productName: digitalProducts.name,
};
const licenseColumns = {
  ...columnsWithout(licenses, ["keyEncrypted", "keyBlindIndex"]),
  productName: digitalProducts.name,
};
const projectOf = (projectId: SQLiteColumn, ownerId: string) =>
  sql`${projectId} in (select "id" from "service_projects" where "client_id" = ${ownerId})`;

const SECTIONS: readonly Section[] = [
  {
    name: "purchases",
    async page(db, owner, after, limit) {
      const { where, orderBy } = keysetPage(
        digitalProductPurchases.id,
        eq(digitalProductPurchases.userId, owner.id),
        after,
      );
      return db
        .select(purchaseColumns)
        .from(digitalProductPurchases)
        .leftJoin(digitalProducts, eq(digitalProducts.id, digitalProductPurchases.productId))
        .where(where)
        .orderBy(orderBy)
        .limit(limit);
    },
  },
  {
    name: "licenses",
    async page(db, owner, after, limit) {
      const { where, orderBy } = keysetPage(licenses.id, eq(licenses.userId, owner.id), after);
      const rows = await db
        .select(licenseColumns)
        .from(licenses)
        .leftJoin(digitalProducts, eq(digitalProducts.id, licenses.productId))
        .where(where)
        .orderBy(orderBy)
        .limit(limit);
      return rows.map(({ keyLast5, ...row }) => ({
        ...row,
        maskedKey: maskedKeyForExport(keyLast5),
      }));
    },
  },
  {
    name: "licenseActivations",
    async page(db, owner, after, limit) {
      const { where, orderBy } = keysetPage(
        licenseActivations.id,
        sql`${licenseActivations.licenseId} in (select "id" from "licenses" where "user_id" = ${owner.id})`,
        after,
      );
      return db.select().from(licenseActivations).where(where).orderBy(orderBy).limit(limit);
    },
  },
  {
    name: "downloads",
    async page(db, owner, after, limit) {
      const { where, orderBy } = keysetPage(downloads.id, eq(downloads.userId, owner.id), after);
      return db
        .select(columnsWithout(downloads, ["deviceFingerprint"]))
        .from(downloads)
        .where(where)
        .orderBy(orderBy)
        .limit(limit);
    },
  },
  {
    name: "resetRequests",
    async page(db, owner, after, limit) {
      const { where, orderBy } = keysetPage(
        downloadResetRequests.id,
        eq(downloadResetRequests.userId, owner.id),
        after,
      );
      return db.select().from(downloadResetRequests).where(where).orderBy(orderBy).limit(limit);
    },
  },
  {
    name: "memberships",
    async page(db, owner, after, limit) {
      const { where, orderBy } = keysetPage(
        memberships.id,
        eq(memberships.userId, owner.id),
        after,
      );
      return db.select().from(memberships).where(where).orderBy(orderBy).limit(limit);
    },
  },
  {
    name: "creditLedger",
    async page(db, owner, after, limit) {
      const { where, orderBy } = keysetPage(
        creditTransactions.id,
        eq(creditTransactions.userId, owner.id),
        after,
      );
      return db.select().from(creditTransactions).where(where).orderBy(orderBy).limit(limit);
    },
  },
  {
    name: "membershipCheckouts",
    async page(db, owner, after, limit) {
      const { where, orderBy } = keysetPage(
        membershipCheckouts.id,
        eq(membershipCheckouts.userId, owner.id),
        after,
      );
      return db.select().from(membershipCheckouts).where(where).orderBy(orderBy).limit(limit);
    },
  },
  {
    name: "membershipInvoices",
    async page(db, owner, after, limit) {
      const { where, orderBy } = keysetPage(
        membershipInvoices.id,
        eq(membershipInvoices.userId, owner.id),
        after,
      );
      return db.select().from(membershipInvoices).where(where).orderBy(orderBy).limit(limit);
    },
  },
  {
    name: "membershipSeats",
    async page(db, owner, after, limit) {
      const { where, orderBy } = keysetPage(
        membershipMembers.id,
        eq(membershipMembers.userId, owner.id),
        after,
      );
      return db.select().from(membershipMembers).where(where).orderBy(orderBy).limit(limit);
    },
  },
  {
    name: "membershipInvitations",
    async page(db, owner, after, limit) {
      const { where, orderBy } = keysetPage(
        membershipInvitations.id,
        or(
          eq(membershipInvitations.email, owner.email),
          eq(membershipInvitations.invitedById, owner.id),
          eq(membershipInvitations.acceptedById, owner.id),
        ),
        after,
      );
      return db
        .select(columnsWithout(membershipInvitations, ["tokenHash"]))
        .from(membershipInvitations)
        .where(where)
        .orderBy(orderBy)
        .limit(limit);
    },
  },
  {
    name: "projects",
    async page(db, owner, after, limit) {
      const { where, orderBy } = keysetPage(
        serviceProjects.id,
        eq(serviceProjects.clientId, owner.id),
        after,
      );
      return db.select().from(serviceProjects).where(where).orderBy(orderBy).limit(limit);
    },
  },
  {
    name: "projectPhaseHistory",
    async page(db, owner, after, limit) {
      const { where, orderBy } = keysetPage(
        projectPhaseHistory.id,
        projectOf(projectPhaseHistory.projectId, owner.id),
        after,
      );
      return db.select().from(projectPhaseHistory).where(where).orderBy(orderBy).limit(limit);
    },
  },
  {
    name: "projectAddOns",
    async page(db, owner, after, limit) {
      const { where, orderBy } = keysetPage(
        serviceAddOns.id,
        or(projectOf(serviceAddOns.projectId, owner.id), eq(serviceAddOns.requestedById, owner.id)),
        after,
      );
      return db.select().from(serviceAddOns).where(where).orderBy(orderBy).limit(limit);
    },
  },
  {
    name: "devices",
    async page(db, owner, after, limit) {
      const { where, orderBy } = keysetPage(
        deviceSessions.id,
        eq(deviceSessions.userId, owner.id),
        after,
      );
      return db
        .select(columnsWithout(deviceSessions, ["fingerprintHash"]))
        .from(deviceSessions)
        .where(where)
        .orderBy(orderBy)
        .limit(limit);
    },
  },
  {
    name: "sessions",
    async page(db, owner, after, limit) {
      const { where, orderBy } = keysetPage(sessions.id, eq(sessions.userId, owner.id), after);
      return db
        .select(columnsWithout(sessions, ["tokenHash"]))
        .from(sessions)
        .where(where)
        .orderBy(orderBy)
        .limit(limit);
    },
  },
  {
    name: "accountLinks",
    async page(db, owner, after, limit) {
      const { where, orderBy } = keysetPage(
        accountTokens.id,
        eq(accountTokens.userId, owner.id),
        after,
      );
      return db
        .select(columnsWithout(accountTokens, ["tokenHash"]))
        .from(accountTokens)
        .where(where)
        .orderBy(orderBy)
        .limit(limit);
    },
  },
  {
    name: "emails",
    async page(db, owner, after, limit) {
      const { where, orderBy } = keysetPage(
        emailOutbox.id,
        eq(emailOutbox.toEmail, owner.email),
        after,
      );
      return db.select().from(emailOutbox).where(where).orderBy(orderBy).limit(limit);
    },
  },
  {
    name: "auditTrail",
    async page(db, owner, after, limit) {
      const { where, orderBy } = keysetPage(
        auditLogs.id,
        or(eq(auditLogs.actorId, owner.id), eq(auditLogs.entityId, owner.id)),
        after,
      );
      return db.select().from(auditLogs).where(where).orderBy(orderBy).limit(limit);
    },
  },
];

// ---- The stream ---------------------------------------------------------------------------

const PROFILE_SECRETS = [
  "passwordHash",
  "twoFactorSecret",
  "twoFactorRecoveryCodes",
  "twoFactorLastUsedStep",
  "guardianConsentTokenHash",
] as const;

async function loadProfile(db: Database, userId: string) {
  const [profile] = await db
    .select({
      ...columnsWithout(users, PROFILE_SECRETS),
      recoveryCodesLeft: sql<number>`json_array_length(${users.twoFactorRecoveryCodes})`,
    })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  return profile ?? null;
}

/** The document as text pieces: the profile, then each section as a JSON array. */
async function* exportChunks(db: Database, userId: string, now: Date): AsyncGenerator<string> {
  const profile = await loadProfile(db, userId);
  if (!profile) throw new Error(`export: no user ${userId}`);
  const owner: Owner = { id: profile.id, email: profile.email };
  yield `{\n"format": "studio-store-export/1",\n"exportedAt": ${JSON.stringify(now)},\n"profile": ${JSON.stringify(profile)}`;
  for (const section of SECTIONS) {
    yield `,\n${JSON.stringify(section.name)}: [`;
    let after: string | null = null;
    let first = true;
    for (;;) {
      const rows = await section.page(db, owner, after, EXPORT_PAGE_SIZE);
      if (rows.length > 0) {
        yield (first ? "\n" : ",\n") + rows.map((row) => JSON.stringify(row)).join(",\n");
        first = false;
        after = rows[rows.length - 1]!.id;
      }
      if (rows.length < EXPORT_PAGE_SIZE) break;
    }
    yield "\n]";
  }
  yield "\n}\n";
}

function exportStream(db: Database, userId: string, now: Date): ReadableStream<Uint8Array> {
  const chunks = exportChunks(db, userId, now);
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
}

/** The section names the export writes, in order (tests compare them with the data map). */
export const EXPORT_SECTIONS: readonly ExportSection[] = [
  "profile",
  ...SECTIONS.map((section) => section.name),
];
