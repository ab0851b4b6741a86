import { and, desc, eq, inArray, sql, type Placeholder, type SQL } from "drizzle-orm";
import { preparedReadsOnce, runReads, type Database, type PreparedReads } from "#db/client";
import {
  auditLogs,
  deviceSessions,
  digitalProducts,
  downloads,
  licenses,
  memberships,
  serviceProjects,
  users,
  type LicenseType,
  type MembershipStatus,
  type MembershipTier,
  type ProjectPhase,
  type ServiceStatus,
} from "#db/schema";
import { remainingCredits } from "~/domain/credits/balance";
import { DOWNLOAD_WINDOW_MS, quotaState, type QuotaState } from "~/domain/downloads/quota";
import { mayCountSince, QUOTA_ROW_COLUMNS } from "./downloads/history.server";
import { auditStatement, type AuditActor, type AuditRequestInfo } from "./audit.server";
import { sessionUserId } from "./sessions.server";
import { insertWhen } from "./conditional-insert.server";

/**
 * `/account`: what a user holds at a glance (licenses and their downloads left, membership,
 * open projects, security) and the profile form. Everything is read in one D1 batch, so the
 * page costs one round trip however much the user owns.
 */

/** Licenses listed with their downloads left; the licenses page lists them all. */
export const OVERVIEW_LICENSES = 3;
/** Open projects listed; the projects page lists them all. */
export const OVERVIEW_PROJECTS = 5;

/** Project statuses that still need something from the studio or the client. */
const OPEN_PROJECT_STATUSES: ServiceStatus[] = ["ACTIVE", "PAUSED"];

/**
 * A license that works now: stored ACTIVE and not past its expiry. Suspended, revoked and
 * expired ones are on the licenses page (docs/architecture.md §7, domain/licenses/status.ts);
 * a banned owner has no session, so they never see this page.
 */
/**
 * Whose rows: a user id placeholder, the session's user (`sessionUserId`), or the account
 * row's id inside its own subqueries.
 */
type UserKey = Placeholder | SQL | typeof users.id;

const workingLicense = (userId: UserKey, nowMs: Placeholder) =>
  and(
    eq(licenses.userId, userId),
    eq(licenses.status, "ACTIVE"),
    sql`(${licenses.expiresAt} is null or ${licenses.expiresAt} > ${nowMs})`,
  );

/** A project of the user's that still needs something from the studio or the client. */
const openProject = (userId: UserKey) =>
  and(eq(serviceProjects.clientId, userId), inArray(serviceProjects.status, OPEN_PROJECT_STATUSES));

export interface OverviewLicense {
  id: string;
  productName: string;
  type: LicenseType;
  quota: QuotaState;
}

export interface AccountOverview {
  profile: { name: string; email: string };
  licenses: { active: number; total: number; newest: OverviewLicense[] };
  membership: {
    tier: MembershipTier;
    status: MembershipStatus;
    balance: number;
    /** Renews (ACTIVE with auto-renew) or ends at `periodEnd`. */
    renews: boolean;
    periodEnd: Date;
  } | null;
  projects: {
    open: number;
    newest: {
      id: string;
      title: string;
      phase: ProjectPhase;
      status: ServiceStatus;
      accepted: boolean;
    }[];
  };
  security: {
    twoFactorEnabled: boolean;
    emailVerified: boolean;
    lastLoginAt: Date | null;
    devices: number;
  };
}

/**
 * The overview's reads, built once per isolate (`preparedReadsOnce`): one D1 batch of four
 * statements. The account row carries the membership (one per user) and every count, so the
 * statements are the row and the three short lists; each statement costs D1 its own work
 * however small it is.
 */
function overviewReads(db: Database, userId: UserKey) {
  const nowMs = sql.placeholder("nowMs");
  return [
    db
      .select({
        name: users.name,
        email: users.email,
        twoFactorEnabled: users.twoFactorEnabled,
        emailVerifiedAt: users.emailVerifiedAt,
        lastLoginAt: users.lastLoginAt,
        tier: memberships.tier,
        status: memberships.status,
        totalCredits: memberships.totalCredits,
        usedCredits: memberships.usedCredits,
        autoRenew: memberships.autoRenew,
        periodEnd: memberships.currentPeriodEnd,
        licensesTotal: sql<number>`(select count(*) from ${licenses} where ${licenses.userId} = ${users.id})`,
        licensesActive: sql<number>`(select count(*) from ${licenses} where ${workingLicense(users.id, nowMs)})`,
        openProjects: sql<number>`(select count(*) from ${serviceProjects} where ${openProject(users.id)})`,
        devices: sql<number>`(select count(*) from ${deviceSessions} where ${deviceSessions.userId} = ${users.id} and ${deviceSessions.revokedAt} is null)`,
      })
      .from(users)
      .leftJoin(memberships, eq(memberships.userId, users.id))
      .where(eq(users.id, userId)),
    db
      .select({
        id: licenses.id,
        productName: digitalProducts.name,
        type: licenses.licenseType,
        resetAt: licenses.downloadWindowResetAt,
      })
      .from(licenses)
      .innerJoin(digitalProducts, eq(digitalProducts.id, licenses.productId))
      .where(workingLicense(userId, nowMs))
      .orderBy(desc(licenses.createdAt), desc(licenses.id))
      .limit(OVERVIEW_LICENSES),
    // The user's downloads of the last 14 days that may count; quotaState (the one rule)
    // decides per license which still do, resets included.
    db
      .select({ licenseId: downloads.licenseId, ...QUOTA_ROW_COLUMNS })
      .from(downloads)
      .where(and(eq(downloads.userId, userId), mayCountSince(sql.placeholder("since")))),
    db
      .select({
        id: serviceProjects.id,
        title: serviceProjects.title,
        phase: serviceProjects.phase,
        status: serviceProjects.status,
        acceptedAt: serviceProjects.acceptedAt,
      })
      .from(serviceProjects)
      .where(openProject(userId))
      .orderBy(desc(serviceProjects.createdAt), desc(serviceProjects.id))
      .limit(OVERVIEW_PROJECTS),
  ] as const;
}

type OverviewRows = ReturnType<ReturnType<typeof overviewReadsFor>>["map"] extends (
  results: D1Result[],
) => infer R
  ? R
  : never;

function overviewReadsFor(db: Database, name: string, userId: UserKey) {
  return preparedReadsOnce(db, name, (handle) => overviewReads(handle, userId));
}

/** The overview of the user `userId`, in one D1 round trip. */
export async function getAccountOverview(
  db: Database,
  input: { userId: string; now: Date },
): Promise<AccountOverview> {
  const { userId, now } = input;
  const reads = overviewReadsFor(
    db,
    "account.overview",
    sql.placeholder("userId"),
  )({
    userId,
    nowMs: now.getTime(),
    since: now.getTime() - DOWNLOAD_WINDOW_MS,
  });
  const [rows] = await runReads<[OverviewRows]>(db, [reads]);
  return toOverview(rows, now);
}

/**
 * The overview of the session's user, as reads that go to D1 with the session lookup
 * (`requireUserWith`): one round trip for the session and the page.
 */
export function sessionAccountOverview(db: Database) {
  return (tokenHash: string, now: Date): PreparedReads<AccountOverview | null> => {
    const reads = overviewReadsFor(
      db,
      "account.overview.session",
      sessionUserId,
    )({
      tokenHash,
      nowMs: now.getTime(),
      since: now.getTime() - DOWNLOAD_WINDOW_MS,
    });
    return {
      statements: reads.statements,
      map: (results) => {
        const rows = reads.map(results);
        // No account row: the token has no live session (the session lookup says so too).
        return rows[0].length === 0 ? null : toOverview(rows, now);
      },
    };
  };
}

function toOverview(rows: OverviewRows, now: Date): AccountOverview {
  const [account, newestLicenses, recentDownloads, projects] = rows;
  const user = account[0]!;
  return {
    profile: { name: user.name, email: user.email },
    licenses: {
      active: Number(user.licensesActive),
      total: Number(user.licensesTotal),
      newest: newestLicenses.map((license) => ({
        id: license.id,
        productName: license.productName,
        type: license.type,
        quota: quotaState(
          recentDownloads.filter((row) => row.licenseId === license.id),
          now,
          license.resetAt,
        ),
      })),
    },
    membership: membershipOf(user),
    projects: {
      open: Number(user.openProjects),
      newest: projects.map(({ acceptedAt, ...project }) => ({
        ...project,
        accepted: acceptedAt !== null,
      })),
    },
    security: {
      twoFactorEnabled: user.twoFactorEnabled,
      emailVerified: user.emailVerifiedAt !== null,
      lastLoginAt: user.lastLoginAt,
      devices: Number(user.devices),
    },
  };
}

/** The membership columns of the account row: all null when the user has none (left join). */
function membershipOf(row: OverviewRows[0][number]): AccountOverview["membership"] {
  const { tier, status, totalCredits, usedCredits, autoRenew, periodEnd } = row;
  if (tier === null || status === null || periodEnd === null) return null;
  return {
    tier,
    status,
    balance: remainingCredits({ totalCredits: totalCredits ?? 0, usedCredits: usedCredits ?? 0 }),
    renews: status === "ACTIVE" && autoRenew === true,
    periodEnd,
  };
}

/**
 * The user renames themselves. The audit row comes first and only when the name really
 * changes, then the UPDATE, in one batch: a resubmitted form writes nothing. The row names
 * the field, never the old or new name (the audit log outlives an erased account).
 */
export async function updateProfile(
  db: Database,
  input: { actor: AuditActor; name: string; request?: AuditRequestInfo; now: Date },
): Promise<{ changed: boolean }> {
  const differs = and(eq(users.id, input.actor.id), sql`${users.name} <> ${input.name}`);
  const [audited] = await db.batch([
    insertWhen(
      db,
      auditLogs,
      auditStatement(db, {
        actor: input.actor,
        action: "PROFILE_UPDATED",
        entityType: "user",
        entityId: input.actor.id,
        metadata: { fields: ["name"] },
        request: input.request,
        at: input.now,
      }),
      sql`exists (select 1 from ${users} where ${differs})`,
    ).returning({ id: auditLogs.id }),
    db.update(users).set({ name: input.name, updatedAt: input.now }).where(differs),
  ]);
  return { changed: audited.length > 0 };
}
