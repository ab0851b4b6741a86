import { createId } from "@paralleldrive/cuid2";
import { and, desc, eq, lt, or, sql, type SQL } from "drizzle-orm";
import type { Database } from "#db/client";
import { refuse, type Result } from "~/domain/refusal";
import {
  auditLogs,
  digitalProducts,
  licenseActivations,
  licenses,
  users,
  type LicenseStatus,
  type LicenseType,
} from "#db/schema";
import type { AccountStatus } from "#db/schema/enums";
import type { AuditAction } from "~/domain/audit/actions";
import { can } from "~/domain/auth/permissions";
import { clampPageSize, decodeCursor, paginate } from "~/domain/catalog/cursor";
import { generateLicenseKey, maskLicenseKey } from "~/domain/licenses/key";
import { effectiveLicenseStatus, type EffectiveStatus } from "~/domain/licenses/status";
import { decryptField, encryptField } from "~/lib/encryption.server";
import type { AppEnv } from "~/lib/env.server";
import { blindIndex } from "~/lib/hmac.server";
import { auditStatement, type AuditActor, type AuditRequestInfo } from "./audit.server";
import { insertWhen } from "./conditional-insert.server";

/** Column contexts: a ciphertext or index copied to another column is worthless there. */
export const LICENSE_KEY_CONTEXT = "licenses.key";

export async function licenseKeyBlindIndex(env: AppEnv, normalizedKey: string): Promise<string> {
  return blindIndex(normalizedKey, env.hmacSecret, LICENSE_KEY_CONTEXT);
}

export interface LicenseIssue {
  purchaseId: string;
  userId: string;
  productId: string;
  licenseType: LicenseType;
  /** Seats of a TEAM license (the product's `team_seats`); other types get 1. */
  teamSeats: number;
  /** Months until expiry, or null for a perpetual license. */
  durationMonths: number | null;
  now: Date;
}

/**
 * The INSERT of a new license, to run in the fulfilment batch. The key is encrypted at rest and
 * found later only through its blind index; the plain key is returned so the caller can hand it
 * to nobody but the owner.
 */
export async function issueLicenseStatement(db: Database, env: AppEnv, input: LicenseIssue) {
  const key = generateLicenseKey();
  const licenseId = createId();
  const expiresAt =
    input.durationMonths === null
      ? null
      : new Date(
          Date.UTC(
            input.now.getUTCFullYear(),
            input.now.getUTCMonth() + input.durationMonths,
            input.now.getUTCDate(),
            input.now.getUTCHours(),
            input.now.getUTCMinutes(),
          ),
        );
  const statement = db
    .insert(licenses)
    .values({
      id: licenseId,
      purchaseId: input.purchaseId,
      userId: input.userId,
      productId: input.productId,
      licenseType: input.licenseType,
      keyEncrypted: await encryptField(key, env.encryptionKeys, LICENSE_KEY_CONTEXT),
      keyBlindIndex: await licenseKeyBlindIndex(env, key),
      keyLast5: key.slice(-5),
      maxUsers: input.licenseType === "TEAM" ? input.teamSeats : 1,
      expiresAt,
      createdAt: input.now,
      updatedAt: input.now,
    })
    // One license per purchase: a replayed fulfilment cannot issue a second one.
    .onConflictDoNothing({ target: licenses.purchaseId });
  return { licenseId, key, statement };
}

// ---- The owner's view: /account/licenses and /account/licenses/:licenseId ----

export interface UserLicenseListItem {
  id: string;
  productName: string;
  productSlug: string;
  type: LicenseType;
  status: LicenseStatus;
  /** What the API would answer now (an expiry date that has passed counts). */
  effective: EffectiveStatus;
  maskedKey: string;
  expiresAt: Date | null;
  seats: { used: number; max: number };
  createdAt: Date;
}

const ownedLicenseColumns = {
  id: licenses.id,
  productName: digitalProducts.name,
  productSlug: digitalProducts.slug,
  type: licenses.licenseType,
  status: licenses.status,
  keyLast5: licenses.keyLast5,
  expiresAt: licenses.expiresAt,
  maxUsers: licenses.maxUsers,
  currentUsers: licenses.currentUsers,
  createdAt: licenses.createdAt,
  statusReason: licenses.statusReason,
  ownerStatus: users.accountStatus,
};

type OwnedLicenseRow = {
  id: string;
  productName: string;
  productSlug: string;
  type: LicenseType;
  status: LicenseStatus;
  keyLast5: string;
  expiresAt: Date | null;
  maxUsers: number;
  currentUsers: number;
  createdAt: Date;
  statusReason: string | null;
  ownerStatus: AccountStatus;
};

function toListItem(row: OwnedLicenseRow, now: Date): UserLicenseListItem {
  return {
    id: row.id,
    productName: row.productName,
    productSlug: row.productSlug,
    type: row.type,
    status: row.status,
    effective: effectiveLicenseStatus(row, now),
    maskedKey: maskLicenseKey(row.keyLast5),
    expiresAt: row.expiresAt,
    seats: { used: row.currentUsers, max: row.maxUsers },
    createdAt: row.createdAt,
  };
}

/** The user's licenses, newest first, keyset-paginated on (created_at, id). */
export async function listUserLicenses(
  db: Database,
  input: { userId: string; now: Date; cursor?: string | null },
  pageSize?: number,
): Promise<{ items: UserLicenseListItem[]; nextCursor: string | null }> {
  const limit = clampPageSize(pageSize);
  const conditions: SQL[] = [eq(licenses.userId, input.userId)];
  const cursor = decodeCursor(input.cursor);
  if (cursor) {
    const at = new Date(cursor.sortKey);
    conditions.push(
      or(lt(licenses.createdAt, at), and(eq(licenses.createdAt, at), lt(licenses.id, cursor.id)))!,
    );
  }
  const rows = await db
    .select(ownedLicenseColumns)
    .from(licenses)
    .innerJoin(digitalProducts, eq(digitalProducts.id, licenses.productId))
    .innerJoin(users, eq(users.id, licenses.userId))
    .where(and(...conditions))
    .orderBy(desc(licenses.createdAt), desc(licenses.id))
    .limit(limit + 1);
  return paginate(
    rows.map((row) => toListItem(row, input.now)),
    limit,
    (item) => ({ sortKey: item.createdAt.getTime(), id: item.id }),
  );
}

export interface UserLicenseDetail extends UserLicenseListItem {
  statusReason: string | null;
  activations: { instance: string; activatedAt: Date; lastValidatedAt: Date | null }[];
}

/** Activations shown on the detail page; a TEAM license rarely has more seats than this. */
const MAX_LISTED_ACTIVATIONS = 100;

/** One of the user's licenses with its active instances, or null (another user's → null). */
export async function getUserLicense(
  db: Database,
  input: { userId: string; licenseId: string; now: Date },
): Promise<UserLicenseDetail | null> {
  const [[row], activations] = await db.batch([
    db
      .select(ownedLicenseColumns)
      .from(licenses)
      .innerJoin(digitalProducts, eq(digitalProducts.id, licenses.productId))
      .innerJoin(users, eq(users.id, licenses.userId))
      .where(and(eq(licenses.id, input.licenseId), eq(licenses.userId, input.userId))),
    db
      .select({
        instance: licenseActivations.instance,
        activatedAt: licenseActivations.createdAt,
        lastValidatedAt: licenseActivations.lastValidatedAt,
      })
      .from(licenseActivations)
      .innerJoin(licenses, eq(licenses.id, licenseActivations.licenseId))
      .where(
        and(eq(licenseActivations.licenseId, input.licenseId), eq(licenses.userId, input.userId)),
      )
      .orderBy(licenseActivations.createdAt, licenseActivations.id)
      .limit(MAX_LISTED_ACTIVATIONS),
  ]);
  if (!row) return null;
  return { ...toListItem(row, input.now), statusReason: row.statusReason, activations };
}

/**
 * The full key, for its owner only, decrypted on demand and audited (LICENSE_KEY_REVEALED;
 * the key itself never reaches the audit log). Null when the license is not the user's.
 */
export async function revealLicenseKey(
  deps: { db: Database; env: AppEnv },
  input: { actor: AuditActor; licenseId: string; now: Date; request: AuditRequestInfo },
): Promise<string | null> {
  const { db, env } = deps;
  const [row] = await db
    .select({ keyEncrypted: licenses.keyEncrypted })
    .from(licenses)
    .where(and(eq(licenses.id, input.licenseId), eq(licenses.userId, input.actor.id)));
  if (!row) return null;
  const key = await decryptField(row.keyEncrypted, env.encryptionKeys, LICENSE_KEY_CONTEXT);
  await auditStatement(db, {
    actor: input.actor,
    action: "LICENSE_KEY_REVEALED",
    entityType: "license",
    entityId: input.licenseId,
    request: input.request,
    at: input.now,
  });
  return key;
}

// ---- Staff: suspend, revoke, reinstate (docs/architecture.md §6: licenses:moderate) ----

export const STAFF_LICENSE_STATUSES = ["SUSPENDED", "REVOKED", "ACTIVE"] as const;
export type StaffLicenseStatus = (typeof STAFF_LICENSE_STATUSES)[number];

const STATUS_AUDIT: Record<StaffLicenseStatus, AuditAction> = {
  SUSPENDED: "LICENSE_SUSPENDED",
  REVOKED: "LICENSE_REVOKED",
  ACTIVE: "LICENSE_REINSTATED",
};

/** Which stored statuses each change may start from (a revoked license is not suspended). */
const ALLOWED_FROM: Record<StaffLicenseStatus, readonly LicenseStatus[]> = {
  SUSPENDED: ["ACTIVE"],
  REVOKED: ["ACTIVE", "SUSPENDED", "EXPIRED"],
  ACTIVE: ["SUSPENDED", "REVOKED"],
};

export type SetLicenseStatusResult = Result<
  { from: LicenseStatus; to: StaffLicenseStatus },
  "forbidden" | "not-found" | "unchanged" | "conflict"
>;

/**
 * A moderator's change of a license's status, with a reason. One batch: the audit row is
 * written only if the conditional UPDATE (status still what was read) changes the row, so two
 * moderators acting at once produce one change and one audit row.
 */
export async function setLicenseStatus(
  deps: { db: Database },
  input: {
    actor: AuditActor;
    licenseId: string;
    status: StaffLicenseStatus;
    reason: string;
    now: Date;
    request: AuditRequestInfo;
  },
): Promise<SetLicenseStatusResult> {
  const { db } = deps;
  const { actor, licenseId, status, now } = input;
  if (!can(actor.role, "licenses:moderate")) {
    return refuse("forbidden", "forbidden", "Your role can't change licenses.");
  }
  const reason = input.reason.trim();
  const [current] = await db
    .select({ status: licenses.status })
    .from(licenses)
    .where(eq(licenses.id, licenseId));
  if (!current) return refuse("not-found", "not-found", "That license doesn't exist.");
  if (current.status === status) {
    return refuse("conflict", "unchanged", `The license is already ${status}.`);
  }
  if (!ALLOWED_FROM[status].includes(current.status)) {
    return refuse(
      "conflict",
      "conflict",
      `A ${current.status} license can't be changed to ${status}.`,
    );
  }

  const unchanged = sql`exists (select 1 from ${licenses} where ${licenses.id} = ${licenseId} and ${licenses.status} = ${current.status})`;
  const [audited] = await db.batch([
    insertWhen(
      db,
      auditLogs,
      auditStatement(db, {
        actor,
        action: STATUS_AUDIT[status],
        entityType: "license",
        entityId: licenseId,
        metadata: { from: current.status, to: status, reason },
        request: input.request,
        at: now,
      }),
      unchanged,
    ).returning({ id: auditLogs.id }),
    db
      .update(licenses)
      .set({
        status,
        statusReason: reason,
        updatedAt: now,
        revokedAt: status === "REVOKED" ? now : status === "ACTIVE" ? null : undefined,
        // Reinstating is the moderator's verdict on an abuse flag: the flag clears, its time
        // stays, and the abuse check counts only downloads after it.
        abuseDetected: status === "ACTIVE" ? false : undefined,
      })
      .where(and(eq(licenses.id, licenseId), eq(licenses.status, current.status))),
  ]);
  if (audited.length === 0) {
    return refuse(
      "conflict",
      "conflict",
      "Someone else changed this license just now. Reload and try again.",
    );
  }
  return { ok: true, from: current.status, to: status };
}
