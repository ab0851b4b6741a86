import { and, desc, eq } from "drizzle-orm";
import type { Database } from "#db/client";
import { auditLogs, featureFlags, users } from "#db/schema";
import {
  FEATURE_FLAG_DEFINITIONS,
  FLAG_REASON_MAX_LENGTH,
  FLAG_REASON_MIN_LENGTH,
  FLAG_REFRESH_MS,
  flagStates,
  isFeatureFlag,
  type FeatureEnvironment,
  type FeatureFlag,
  type FlagStates,
} from "~/domain/flags/flags";
import { refuse, type Result } from "~/domain/refusal";
import {
  AUDIT_ROW_COLUMNS,
  auditStatement,
  type AuditActor,
  type AuditRequestInfo,
} from "./audit.server";
import { namedBatch } from "./named-batch.server";

/**
 * Feature flags (docs/architecture.md §11). Pages ask on every request, so the flags of the
 * running environment are read in one query and kept per isolate (module scope) for
 * FLAG_REFRESH_MS: a D1 read per isolate every few seconds, not one per request. A change made
 * through this isolate drops the copy at once; other isolates see it within FLAG_REFRESH_MS.
 */

interface CachedFlags {
  environment: FeatureEnvironment;
  loadedAt: number;
  /** A promise, so requests arriving while the read is in flight share it. */
  states: Promise<FlagStates>;
}

let cached: CachedFlags | null = null;

/** Tests (and `setFlag`) start from a fresh read. */
export function resetFeatureFlagCache(): void {
  cached = null;
}

/** Every flag of `environment`, defaults filled in; from this isolate's copy while it is fresh. */
export function readFeatureFlags(
  db: Database,
  input: { environment: FeatureEnvironment; now: Date },
): Promise<FlagStates> {
  const now = input.now.getTime();
  const age = cached ? now - cached.loadedAt : Infinity;
  if (cached && cached.environment === input.environment && age >= 0 && age < FLAG_REFRESH_MS) {
    return cached.states;
  }
  const entry: CachedFlags = {
    environment: input.environment,
    loadedAt: now,
    states: db
      .select({ key: featureFlags.key, enabled: featureFlags.enabled })
      .from(featureFlags)
      .where(eq(featureFlags.environment, input.environment))
      .then(flagStates),
  };
  // A failed read is not kept: the next request tries again.
  entry.states.catch(() => {
    if (cached === entry) cached = null;
  });
  cached = entry;
  return entry.states;
}

export async function isFeatureEnabled(
  db: Database,
  input: { flag: FeatureFlag; environment: FeatureEnvironment; now: Date },
): Promise<boolean> {
  return (await readFeatureFlags(db, input))[input.flag];
}

export interface FlagChange {
  name: string;
  environment: FeatureEnvironment;
  enabled: boolean;
  reason: string;
  actor: AuditActor;
  request: AuditRequestInfo;
  now: Date;
}

/**
 * Switch a flag in one environment: the row (with who changed it) and its SETTINGS_CHANGED
 * audit row in one batch. Switching a flag to the state it is in writes nothing.
 */
export async function setFlag(
  deps: { db: Database },
  change: FlagChange,
): Promise<Result<{ changed: boolean }, "unknown-flag" | "reason-required">> {
  const { db } = deps;
  if (!isFeatureFlag(change.name)) {
    return refuse("invalid", "unknown-flag", `There is no feature flag called “${change.name}”.`, {
      field: "name",
    });
  }
  const reason = change.reason.trim();
  if (reason.length < FLAG_REASON_MIN_LENGTH || reason.length > FLAG_REASON_MAX_LENGTH) {
    return refuse(
      "invalid",
      "reason-required",
      `Say why in ${FLAG_REASON_MIN_LENGTH} to ${FLAG_REASON_MAX_LENGTH} characters; it goes into the audit log.`,
      { field: "reason" },
    );
  }
  const flag: FeatureFlag = change.name;
  const [row] = await db
    .select({ enabled: featureFlags.enabled })
    .from(featureFlags)
    .where(and(eq(featureFlags.key, flag), eq(featureFlags.environment, change.environment)));
  const before = row?.enabled ?? FEATURE_FLAG_DEFINITIONS[flag].defaultEnabled;
  if (before === change.enabled) {
    // Nothing to write; this isolate re-reads anyway, so a stale copy can be set right.
    resetFeatureFlagCache();
    return { ok: true, changed: false };
  }

  await namedBatch(db, {
    flag: db
      .insert(featureFlags)
      .values({
        key: flag,
        environment: change.environment,
        enabled: change.enabled,
        description: FEATURE_FLAG_DEFINITIONS[flag].description,
        updatedById: change.actor.id,
        createdAt: change.now,
        updatedAt: change.now,
      })
      .onConflictDoUpdate({
        target: [featureFlags.key, featureFlags.environment],
        set: { enabled: change.enabled, updatedById: change.actor.id, updatedAt: change.now },
      }),
    audit: auditStatement(db, {
      actor: change.actor,
      action: "SETTINGS_CHANGED",
      entityType: "feature_flag",
      entityId: flag,
      metadata: {
        flag,
        environment: change.environment,
        before,
        after: change.enabled,
        reason,
      },
      request: change.request,
      at: change.now,
    }),
  });
  resetFeatureFlagCache();
  return { ok: true, changed: true };
}

// ---- /admin/flags ---------------------------------------------------------------------------

/** The rows of every environment with who switched them last, and the latest flag changes. */
export async function getFlagsOverview(db: Database, input: { changes: number }) {
  const [rows, changes] = await Promise.all([
    db
      .select({
        key: featureFlags.key,
        environment: featureFlags.environment,
        enabled: featureFlags.enabled,
        updatedAt: featureFlags.updatedAt,
        updatedById: featureFlags.updatedById,
        updatedByName: users.name,
      })
      .from(featureFlags)
      .leftJoin(users, eq(users.id, featureFlags.updatedById)),
    db
      .select({ ...AUDIT_ROW_COLUMNS, actorName: users.name })
      .from(auditLogs)
      .leftJoin(users, eq(users.id, auditLogs.actorId))
      .where(
        and(eq(auditLogs.entityType, "feature_flag"), eq(auditLogs.action, "SETTINGS_CHANGED")),
      )
      .orderBy(desc(auditLogs.createdAt), desc(auditLogs.id))
      .limit(input.changes),
  ]);
  return { rows, changes };
}
