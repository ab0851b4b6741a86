import { env } from "cloudflare:test";
import { SELF } from "../../helpers/worker";
import { and, asc, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import {
  auditLogs,
  creditTransactions,
  membershipInvoices,
  membershipMembers,
  memberships,
  type MembershipTier,
} from "#db/schema";
import { parseEnv } from "~/lib/env.server";
import * as renewalRoute from "~/routes/checkout.test.renewal.$membershipId";
import * as upgradeRoute from "~/routes/checkout.test.upgrade.$membershipId";
import { createMembership, createUser } from "../../factories";
import { ORIGIN, postForm, sessionCookieFor } from "../../helpers/session";

/**
 * The plan intents of /account/membership (change-tier, cancel-downgrade, pause, resume) and
 * the test provider's upgrade and renewal routes, through the built Worker (issue 15).
 */

const db = createDb(env.DB);
const appEnv = parseEnv(env);

async function submit(path: string, fields: Record<string, string>, cookie?: string) {
  const request = postForm(path, fields, { cookie });
  return SELF.fetch(`${ORIGIN}${request.path}`, request.init);
}

const get = (path: string, cookie?: string) =>
  SELF.fetch(`${ORIGIN}${path}`, { redirect: "manual", headers: cookie ? { Cookie: cookie } : {} });

/** A page's text as a reader sees it: without React's `<!-- -->` text separators. */
const pageText = async (response: Response) => (await response.text()).replaceAll("<!-- -->", "");

const membershipOf = async (userId: string) =>
  (await db.select().from(memberships).where(eq(memberships.userId, userId)))[0]!;

const ledgerOf = (membershipId: string) =>
  db
    .select()
    .from(creditTransactions)
    .where(eq(creditTransactions.membershipId, membershipId))
    .orderBy(asc(sql`rowid`));

const auditsOf = (membershipId: string, action: "MEMBERSHIP_TIER_CHANGED" | "MEMBERSHIP_RESUMED") =>
  db
    .select()
    .from(auditLogs)
    .where(and(eq(auditLogs.entityId, membershipId), eq(auditLogs.action, action)));

const invoicesOf = (membershipId: string) =>
  db.select().from(membershipInvoices).where(eq(membershipInvoices.membershipId, membershipId));

/** A member who subscribed with the test provider, the way the pages do it. */
async function testProviderMember(tier: MembershipTier) {
  const user = await createUser(db);
  const cookie = await sessionCookieFor(user.id);
  const started = await submit("/checkout/membership", { tier }, cookie);
  expect(started.status).toBe(302);
  const paid = await submit(started.headers.get("Location")!, { outcome: "succeed" }, cookie);
  expect(paid.status).toBe(302);
  const membership = await membershipOf(user.id);
  // The checkout gave the buyer the owner's seat (spending and the plan go by seats).
  const seats = await db
    .select()
    .from(membershipMembers)
    .where(eq(membershipMembers.membershipId, membership.id));
  expect(seats.map((seat) => [seat.userId, seat.role])).toEqual([[user.id, "OWNER"]]);
  return { user, cookie, membership };
}

describe("changing tier on /account/membership (test provider)", () => {
  it("upgrades through the confirm page: prorated quote, Pay once, the credit difference once", async () => {
    const { cookie, membership } = await testProviderMember("BASIC_ACCESS");
    const changed = await submit(
      "/account/membership",
      { intent: "change-tier", tier: "PRO" },
      cookie,
    );
    expect(changed.status).toBe(302);
    const location = changed.headers.get("Location")!;
    expect(location).toBe(`/checkout/test/upgrade/${membership.id}?tier=PRO`);

    const page = await get(location, cookie);
    expect(page.status).toBe(200);
    const html = await pageText(page);
    expect(html).toContain("Confirm your upgrade");
    expect(html).toContain("Basic access → Pro");
    // Just subscribed: almost the whole price difference ($49 − $19) is due now.
    expect(html).toMatch(/data-testid="prorated-amount">\$(29\.\d\d|30\.00)</);
    expect(html).toContain("rounded to the nearest cent");

    // A stranger can neither see nor pay it.
    const stranger = await sessionCookieFor((await createUser(db)).id);
    expect((await get(location, stranger)).status).toBe(404);
    expect((await submit(location, { outcome: "succeed" }, stranger)).status).toBe(404);

    const paid = await submit(location, { outcome: "succeed" }, cookie);
    expect(paid.status).toBe(302);
    expect(paid.headers.get("Location")).toBe("/account/membership");
    // Paying the same page again changes nothing.
    expect((await submit(location, { outcome: "succeed" }, cookie)).status).toBe(302);

    expect(await membershipOf(membership.userId)).toMatchObject({ tier: "PRO", pendingTier: null });
    const adjustments = (await ledgerOf(membership.id)).filter((row) => row.type === "ADJUSTMENT");
    expect(adjustments.map((row) => [row.amount, row.description])).toEqual([
      [30, "Upgrade to Pro: 30 more credits for this period"],
    ]);
    const invoices = await invoicesOf(membership.id);
    expect(invoices).toHaveLength(1);
    expect(invoices[0]).toMatchObject({ kind: "UPGRADE", status: "PAID" });
    expect(await auditsOf(membership.id, "MEMBERSHIP_TIER_CHANGED")).toHaveLength(1);

    const history = await pageText(await get("/account/membership/credits", cookie));
    expect(history).toContain("Upgrade to Pro: 30 more credits for this period");
    // The page is closed once the tier is Pro.
    expect(await pageText(await get(location, cookie))).toContain("no longer open");
  });

  it("declining the upgrade changes nothing", async () => {
    const { cookie, membership } = await testProviderMember("BASIC_ACCESS");
    const location = `/checkout/test/upgrade/${membership.id}?tier=MANAGED`;
    const declined = await submit(location, { outcome: "fail" }, cookie);
    expect(declined.status).toBe(302);
    expect(declined.headers.get("Location")).toBe("/account/membership");
    expect(await membershipOf(membership.userId)).toMatchObject({ tier: "BASIC_ACCESS" });
    expect(await ledgerOf(membership.id)).toHaveLength(1);
    expect((await submit(location, { outcome: "maybe" }, cookie)).status).toBe(400);
    expect((await get(`/checkout/test/upgrade/${membership.id}?tier=GOLD`, cookie)).status).toBe(
      404,
    );
  });

  it("downgrades at the period end, shows it, and cancels the downgrade", async () => {
    const { cookie, membership } = await testProviderMember("PRO");
    const changed = await submit(
      "/account/membership",
      { intent: "change-tier", tier: "BASIC_ACCESS" },
      cookie,
    );
    expect(changed.status).toBe(302);
    expect(changed.headers.get("Location")).toBe("/account/membership");
    expect(await membershipOf(membership.userId)).toMatchObject({
      tier: "PRO",
      pendingTier: "BASIC_ACCESS",
    });
    expect(await ledgerOf(membership.id)).toHaveLength(1);
    const page = await pageText(await get("/account/membership", cookie));
    expect(page).toContain("Moves to Basic access on");
    expect(page).toContain("Keep Pro (cancel the downgrade)");
    // No pause while a downgrade is pending.
    expect(page).not.toContain("Pause membership");

    const cancelled = await submit("/account/membership", { intent: "cancel-downgrade" }, cookie);
    expect(cancelled.status).toBe(302);
    expect(await membershipOf(membership.userId)).toMatchObject({ tier: "PRO", pendingTier: null });
    const audits = await auditsOf(membership.id, "MEMBERSHIP_TIER_CHANGED");
    expect(audits.map((row) => (row.metadata as { when?: string } | null)?.when).sort()).toEqual([
      "cancelled",
      "period-end",
    ]);
    // Nothing left to cancel: refused, shown on the page.
    const again = await submit("/account/membership", { intent: "cancel-downgrade" }, cookie);
    expect(again.status).toBe(409);
  });

  it("refuses the same tier, an unknown tier, a teammate and a user without a membership", async () => {
    const { cookie, membership } = await testProviderMember("PRO");
    expect(
      (await submit("/account/membership", { intent: "change-tier", tier: "PRO" }, cookie)).status,
    ).toBe(409);
    expect(
      (await submit("/account/membership", { intent: "change-tier", tier: "GOLD" }, cookie)).status,
    ).toBe(400);

    const teammate = await createUser(db);
    await db.insert(membershipMembers).values({
      membershipId: membership.id,
      userId: teammate.id,
      role: "MEMBER",
    });
    const asTeammate = await submit(
      "/account/membership",
      { intent: "change-tier", tier: "MANAGED" },
      await sessionCookieFor(teammate.id),
    );
    expect(asTeammate.status).toBe(403);

    const nobody = await sessionCookieFor((await createUser(db)).id);
    expect(
      (await submit("/account/membership", { intent: "change-tier", tier: "PRO" }, nobody)).status,
    ).toBe(409);
    expect(await membershipOf(membership.userId)).toMatchObject({ tier: "PRO", pendingTier: null });
  });
});

describe("pause and resume on /account/membership", () => {
  it("refuses 0 and 4 months inline, accepts 1 to 3", async () => {
    for (const months of ["0", "4"]) {
      const user = await createUser(db);
      const cookie = await sessionCookieFor(user.id);
      await createMembership(db, { userId: user.id, tier: "PRO", credits: 40 });
      const refused = await submit("/account/membership", { intent: "pause", months }, cookie);
      expect(refused.status).toBe(400);
      expect(await refused.text()).toContain("Choose 1 to 3 months.");
      expect(await membershipOf(user.id)).toMatchObject({ status: "ACTIVE", pausedAt: null });
    }
    for (const months of [1, 2, 3]) {
      const user = await createUser(db);
      const cookie = await sessionCookieFor(user.id);
      await createMembership(db, { userId: user.id, tier: "PRO", credits: 40 });
      const before = Date.now();
      const paused = await submit(
        "/account/membership",
        { intent: "pause", months: String(months) },
        cookie,
      );
      expect(paused.status).toBe(302);
      const row = await membershipOf(user.id);
      expect(row.status).toBe("PAUSED");
      const days = (row.pauseEndsAt!.getTime() - before) / 86_400_000;
      expect(days).toBeGreaterThanOrEqual(28 * months - 1);
      expect(days).toBeLessThanOrEqual(31 * months + 1);
      const page = await pageText(await get("/account/membership", cookie));
      expect(page).toContain("Paused until");
      expect(page).toContain("Resume now");
      expect(page).not.toContain("Auto-renew is off");
    }
  });

  it("resumes by hand: ACTIVE again, one audit row, and a second resume is refused", async () => {
    const user = await createUser(db);
    const cookie = await sessionCookieFor(user.id);
    const membership = await createMembership(db, { userId: user.id, tier: "PRO", credits: 40 });
    expect(
      (await submit("/account/membership", { intent: "pause", months: "2" }, cookie)).status,
    ).toBe(302);
    const resumed = await submit("/account/membership", { intent: "resume" }, cookie);
    expect(resumed.status).toBe(302);
    expect(await membershipOf(user.id)).toMatchObject({
      status: "ACTIVE",
      pausedAt: null,
      pauseEndsAt: null,
    });
    expect(await auditsOf(membership.id, "MEMBERSHIP_RESUMED")).toHaveLength(1);
    expect((await submit("/account/membership", { intent: "resume" }, cookie)).status).toBe(409);
  });
});

describe("the test provider's renewal route", () => {
  it("simulates a failed renewal payment (PAST_DUE, shown) and a successful one (ACTIVE)", async () => {
    const { cookie, membership } = await testProviderMember("BASIC_ACCESS");
    const path = `/checkout/test/renewal/${membership.id}`;
    const account = await pageText(await get("/account/membership", cookie));
    expect(account).toContain("Simulate the renewal payment now");

    const stranger = await sessionCookieFor((await createUser(db)).id);
    expect((await submit(path, { outcome: "fail" }, stranger)).status).toBe(404);
    expect((await submit(path, { outcome: "maybe" }, cookie)).status).toBe(400);
    expect((await get(path, cookie)).headers.get("Location")).toBe("/account/membership");

    const failed = await submit(path, { outcome: "fail" }, cookie);
    expect(failed.status).toBe(302);
    expect(failed.headers.get("Location")).toBe("/account/membership");
    expect((await invoicesOf(membership.id)).map((row) => [row.kind, row.status])).toEqual([
      ["RENEWAL", "FAILED"],
    ]);
    const pastDue = await membershipOf(membership.userId);
    expect(pastDue.status).toBe("PAST_DUE");
    expect(pastDue.graceEndsAt).not.toBeNull();
    const pastDuePage = await pageText(await get("/account/membership", cookie));
    expect(pastDuePage).toContain("Payment failed: credits are on hold until");
    expect(pastDuePage).not.toContain("Auto-renew is off");

    const paid = await submit(path, { outcome: "succeed" }, cookie);
    expect(paid.status).toBe(302);
    const active = await membershipOf(membership.userId);
    expect(active).toMatchObject({ status: "ACTIVE", graceEndsAt: null });
    expect(active.paidThrough!.getTime()).toBeGreaterThan(membership.currentPeriodEnd.getTime());
    // The same renewal invoice, failed first and paid now: one row, PAID.
    expect((await invoicesOf(membership.id)).map((row) => [row.kind, row.status])).toEqual([
      ["RENEWAL", "PAID"],
    ]);
  });
});

describe("the test provider's routes outside development", () => {
  const args = (path: string, stripe: boolean, production: boolean) => ({
    request: new Request(`${ORIGIN}${path}`, { method: "POST" }),
    params: { membershipId: "abcdefghijklmnopqrstuvwx" },
    context: {
      env: {
        ...appEnv,
        isProduction: production,
        stripe: stripe ? { secretKey: "sk_test_x", webhookSecret: "whsec_x" } : null,
      },
    } as never,
  });

  const statusOf = async (run: () => Promise<unknown>) => {
    try {
      await run();
      return 200;
    } catch (thrown) {
      return thrown instanceof Response ? thrown.status : 500;
    }
  };

  it("answers 404 in production and when Stripe is configured", async () => {
    const upgrade = "/checkout/test/upgrade/abcdefghijklmnopqrstuvwx?tier=PRO";
    const renewal = "/checkout/test/renewal/abcdefghijklmnopqrstuvwx";
    for (const [stripe, production] of [
      [true, false],
      [false, true],
    ] as const) {
      expect(await statusOf(() => upgradeRoute.loader(args(upgrade, stripe, production)))).toBe(
        404,
      );
      expect(await statusOf(() => upgradeRoute.action(args(upgrade, stripe, production)))).toBe(
        404,
      );
      expect(await statusOf(() => renewalRoute.action(args(renewal, stripe, production)))).toBe(
        404,
      );
    }
  });
});
