import { createId } from "@paralleldrive/cuid2";
import { and, eq, sql, type SQL } from "drizzle-orm";
import type { Database } from "#db/client";
import { auditLogs, licenseActivations, licenses, users, type LicenseStatus } from "#db/schema";
import type { LicenseType } from "#db/schema/enums";
import { normalizeLicenseKey } from "~/domain/licenses/key";
import {
  effectiveLicenseStatus,
  isLicenseExpired,
  type LicenseApiCode,
} from "~/domain/licenses/status";
import type { AppEnv } from "~/lib/env.server";
import { auditStatement, type AuditRequestInfo } from "./audit.server";
import { insertWhen } from "./conditional-insert.server";
import { licenseKeyBlindIndex } from "./licenses.server";
import { namedBatch } from "./named-batch.server";
import { consumeRateLimits, type RateLimitDecision } from "./rate-limit.server";

/**
 * The license API for buyers' software (docs/architecture.md §7, §12): validate a key, activate an
 * instance on one of its seats, deactivate it. A key is found only through its blind index;
 * nothing here ever decrypts a key.
 */

export interface LicenseApiDeps {
  db: Database;
  env: AppEnv;
}

export interface LicenseApiInput {
  key: string;
  /** The caller's own name for this copy of the software (a machine id, a site URL…). */
  instance?: string;
  now: Date;
  /** For audit rows and the activation's IP hash; the IP only as an HMAC. */
  request: AuditRequestInfo;
}

export interface LicenseSummary {
  status: LicenseStatus;
  type: LicenseType;
  expiresAt: string | null;
  seats: { used: number; max: number };
}

export interface LicenseApiAnswer {
  valid: boolean;
  code: LicenseApiCode;
  detail: string;
  license: LicenseSummary | null;
  /** Present when an instance was named: whether it holds a seat after this call. */
  activated?: boolean;
}

/** Per key and per IP, per minute (README "License API"). */
export const LICENSE_API_LIMITS = {
  perKey: 60,
  perIp: 120,
  windowMs: 60_000,
} as const;

const NOT_FOUND: LicenseApiAnswer = {
  valid: false,
  code: "NOT_FOUND",
  detail: "No license matches this key. Check that it was copied in full.",
  license: null,
};

const licenseColumns = {
  id: licenses.id,
  status: licenses.status,
  licenseType: licenses.licenseType,
  expiresAt: licenses.expiresAt,
  maxUsers: licenses.maxUsers,
  currentUsers: licenses.currentUsers,
};

type LicenseRow = {
  status: LicenseStatus;
  licenseType: LicenseType;
  expiresAt: Date | null;
  maxUsers: number;
  currentUsers: number;
};

function summarize(row: LicenseRow, now: Date): LicenseSummary {
  return {
    // An expiry date that has passed is reported as EXPIRED before any cron catches up.
    status: row.status !== "EXPIRED" && isLicenseExpired(row, now) ? "EXPIRED" : row.status,
    type: row.licenseType,
    expiresAt: row.expiresAt ? row.expiresAt.toISOString() : null,
    seats: { used: row.currentUsers, max: row.maxUsers },
  };
}

async function blindIndexOf(env: AppEnv, key: string): Promise<string | null> {
  const normalized = normalizeLicenseKey(key);
  return normalized ? licenseKeyBlindIndex(env, normalized) : null;
}

async function findLicense(deps: LicenseApiDeps, key: string) {
  const index = await blindIndexOf(deps.env, key);
  if (!index) return null;
  const [row] = await deps.db
    .select({ ...licenseColumns, ownerStatus: users.accountStatus })
    .from(licenses)
    .innerJoin(users, eq(users.id, licenses.userId))
    .where(eq(licenses.keyBlindIndex, index))
    .limit(1);
  return row ?? null;
}

type FoundLicense = NonNullable<Awaited<ReturnType<typeof findLicense>>>;

function answerFor(row: FoundLicense, now: Date): LicenseApiAnswer {
  const effective = effectiveLicenseStatus(row, now);
  return {
    valid: effective.valid,
    code: effective.code,
    detail: effective.detail,
    license: summarize(row, now),
  };
}

/**
 * Count this call against the per-IP and per-key limits (one batch). Keys that cannot be keys
 * are limited by IP only; the key's limit is keyed by its blind index, never the key itself.
 */
export async function consumeLicenseApiRateLimit(
  deps: LicenseApiDeps,
  input: { key: string | null; ipHash: string | null; now: Date },
): Promise<RateLimitDecision> {
  const windowMs = LICENSE_API_LIMITS.windowMs;
  const index = input.key ? await blindIndexOf(deps.env, input.key) : null;
  return consumeRateLimits(
    deps.db,
    [
      {
        scope: "license-api-ip",
        subject: input.ipHash ?? "unknown",
        limit: LICENSE_API_LIMITS.perIp,
        windowMs,
      },
      ...(index
        ? [{ scope: "license-api-key", subject: index, limit: LICENSE_API_LIMITS.perKey, windowMs }]
        : []),
    ],
    input.now,
  );
}

/**
 * Is this key good? With an instance, also says whether that instance holds a seat (and
 * records that it checked in).
 */
export async function validateLicense(
  deps: LicenseApiDeps,
  input: LicenseApiInput,
): Promise<LicenseApiAnswer> {
  const row = await findLicense(deps, input.key);
  if (!row) return NOT_FOUND;
  const answer = answerFor(row, input.now);
  if (input.instance === undefined) return answer;
  const touched = await deps.db
    .update(licenseActivations)
    .set({ lastValidatedAt: input.now })
    .where(
      and(
        eq(licenseActivations.licenseId, row.id),
        eq(licenseActivations.instance, input.instance),
      ),
    )
    .returning({ id: licenseActivations.id });
  const activated = touched.length > 0;
  return {
    ...answer,
    activated,
    detail:
      answer.valid && !activated
        ? "This license is valid, but this instance is not activated on it."
        : answer.detail,
  };
}

/** The seats `licenseId` has taken, counted from its activations. */
const seatCountOf = (licenseId: string) =>
  sql`(select count(*) from ${licenseActivations} where ${licenseActivations.licenseId} = ${licenseId})`;

/** LICENSE_ACTIVATED / LICENSE_DEACTIVATED for `instance`, written only while `condition` holds. */
function seatAudit(
  db: Database,
  action: "LICENSE_ACTIVATED" | "LICENSE_DEACTIVATED",
  input: { licenseId: string; instance: string; request: AuditRequestInfo; now: Date },
  condition: SQL,
) {
  return insertWhen(
    db,
    auditLogs,
    auditStatement(db, {
      actor: null,
      action,
      entityType: "license",
      entityId: input.licenseId,
      metadata: { instance: input.instance },
      request: input.request,
      at: input.now,
    }),
    condition,
  );
}

/**
 * Take a seat for `instance`. Idempotent: an instance that already holds a seat keeps it.
 * Otherwise one batch (a serialized transaction) inserts the activation only while the number
 * of activations is below `max_users` and the license is ACTIVE, recounts `current_users` from
 * the activations, and writes the audit row only if the activation went in. Parallel calls
 * therefore can never fill more seats than the license has.
 */
export async function activateLicense(
  deps: LicenseApiDeps,
  input: LicenseApiInput & { instance: string },
): Promise<LicenseApiAnswer> {
  const { db } = deps;
  const { now, instance } = input;
  const row = await findLicense(deps, input.key);
  if (!row) return NOT_FOUND;
  const before = answerFor(row, now);
  if (!before.valid) return { ...before, activated: false };

  const activationId = createId();
  const seatCount = seatCountOf(row.id);
  const inserted = sql`exists (select 1 from ${licenseActivations} where ${licenseActivations.id} = ${activationId})`;

  const seatFree = sql`${seatCount} < (
    select ${licenses.maxUsers} from ${licenses}
    where ${licenses.id} = ${row.id} and ${licenses.status} = 'ACTIVE'
  )`;

  const written = await namedBatch(db, {
    activation: insertWhen(
      db,
      licenseActivations,
      db
        .insert(licenseActivations)
        .values({
          id: activationId,
          licenseId: row.id,
          instance,
          ipHash: input.request.ipHash ?? null,
          lastValidatedAt: now,
          createdAt: now,
        })
        .onConflictDoNothing(),
      seatFree,
    ),
    seats: db
      .update(licenses)
      .set({ currentUsers: seatCount, updatedAt: now })
      .where(and(eq(licenses.id, row.id), inserted)),
    audit: seatAudit(db, "LICENSE_ACTIVATED", { ...input, licenseId: row.id }, inserted),
    license: db.select(licenseColumns).from(licenses).where(eq(licenses.id, row.id)),
    seat: db
      .select({ id: licenseActivations.id })
      .from(licenseActivations)
      .where(
        and(eq(licenseActivations.licenseId, row.id), eq(licenseActivations.instance, instance)),
      ),
  });
  const [after] = written.license;
  const [activation] = written.seat;

  const license = summarize(after ?? row, now);
  if (activation) {
    return {
      valid: true,
      code: "VALID",
      detail:
        activation.id === activationId
          ? "This instance is now activated."
          : "This instance was already activated.",
      license,
      activated: true,
    };
  }
  if (after && after.status !== "ACTIVE") {
    // The license changed status between the read and the batch.
    return { ...answerFor({ ...after, ownerStatus: row.ownerStatus }, now), activated: false };
  }
  return {
    valid: false,
    code: "TOO_MANY_USERS",
    detail: `All ${license.seats.max} seat${license.seats.max === 1 ? "" : "s"} of this license are in use. Deactivate another instance first.`,
    license,
    activated: false,
  };
}

/**
 * Give up the seat `instance` holds, in one batch (audit row only if there was a seat).
 * Works whatever the license's status, so a buyer can always free seats; idempotent.
 */
export async function deactivateLicense(
  deps: LicenseApiDeps,
  input: LicenseApiInput & { instance: string },
): Promise<LicenseApiAnswer> {
  const { db } = deps;
  const { now, instance } = input;
  const row = await findLicense(deps, input.key);
  if (!row) return NOT_FOUND;

  const thisActivation = and(
    eq(licenseActivations.licenseId, row.id),
    eq(licenseActivations.instance, instance),
  )!;
  const written = await namedBatch(db, {
    audit: seatAudit(
      db,
      "LICENSE_DEACTIVATED",
      { ...input, licenseId: row.id },
      sql`exists (select 1 from ${licenseActivations} where ${thisActivation})`,
    ),
    removed: db
      .delete(licenseActivations)
      .where(thisActivation)
      .returning({ id: licenseActivations.id }),
    seats: db
      .update(licenses)
      .set({
        currentUsers: seatCountOf(row.id),
        updatedAt: now,
      })
      .where(eq(licenses.id, row.id)),
    license: db.select(licenseColumns).from(licenses).where(eq(licenses.id, row.id)),
  });
  const [after] = written.license;

  const answer = answerFor({ ...(after ?? row), ownerStatus: row.ownerStatus }, now);
  return {
    ...answer,
    activated: false,
    detail:
      written.removed.length > 0
        ? `This instance is deactivated and its seat is free. ${answer.detail}`
        : `This instance was not activated. ${answer.detail}`,
  };
}
