import { env } from "cloudflare:test";
import { SELF } from "../../helpers/worker";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import {
  auditLogs,
  creditTransactions,
  digitalProductPurchases,
  licenses,
  membershipCheckouts,
  memberships,
  sessions,
  users,
} from "#db/schema";
import { generateTotpSecret, totpCode } from "~/domain/auth/totp";
import { STEP_UP_INTENTS, STEP_UP_MAX_AGE_MS } from "~/domain/auth/route-policy";
import { parseEnv } from "~/lib/env.server";
import { settleTestCheckout, startCheckout } from "~/services/checkout.server";
import { topUp } from "~/services/ledger.server";
import { createMembership, createProduct, createUser } from "../../factories";
import { ORIGIN, postForm, sessionCookieFor } from "../../helpers/session";

/**
 * Issue 14.14, staff step-up: a role change, ban, refund, license revoke, restore (dry run)
 * and credit adjustment need a two-factor code from the last 10 minutes on this session, not
 * the one given at log-in 30 days ago. Without it: 403, the form again with a code field and
 * what was typed, nothing changed. With a right code: done, and the session counts as fresh.
 */

const db = createDb(env.DB);
const appEnv = parseEnv(env);
const MINUTE = 60_000;

interface Staff {
  id: string;
  secret: string;
  cookie: string;
}

/** An OWNER with 2FA whose session proved a code `minutesAgo` minutes ago. */
async function staff(minutesAgo: number): Promise<Staff> {
  const secret = generateTotpSecret();
  const user = await createUser(
    db,
    { role: "OWNER", twoFactorSecret: secret },
    { encryptionKeys: appEnv.encryptionKeys },
  );
  const cookie = await sessionCookieFor(user.id, { twoFactorVerified: true });
  await setVerifiedAt(user.id, new Date(Date.now() - minutesAgo * MINUTE));
  return { id: user.id, secret, cookie };
}

const setVerifiedAt = (userId: string, at: Date) =>
  db.update(sessions).set({ twoFactorVerifiedAt: at }).where(eq(sessions.userId, userId));

async function verifiedAt(userId: string) {
  const [row] = await db
    .select({ at: sessions.twoFactorVerifiedAt })
    .from(sessions)
    .where(eq(sessions.userId, userId));
  return row!.at;
}

const currentCode = (who: Staff) => totpCode(who.secret, Date.now());
const wrongCode = async (who: Staff) =>
  (await currentCode(who)) === "123456" ? "654321" : "123456";

function submit(path: string, fields: Record<string, string>, who: Staff) {
  const request = postForm(path, fields, { cookie: who.cookie });
  return SELF.fetch(`${ORIGIN}${request.path}`, request.init);
}

async function completedPurchase() {
  const buyer = await createUser(db);
  const product = await createProduct({ db, files: env.FILES }, {});
  const deps = { db, env: appEnv };
  const { purchaseId } = await startCheckout(deps, {
    user: { id: buyer.id, role: buyer.role, email: buyer.email },
    slug: product.slug,
    licenseType: "PERSONAL",
    origin: ORIGIN,
    now: new Date(),
  });
  const settled = await settleTestCheckout(deps, {
    purchaseId,
    outcome: "succeed",
    now: new Date(),
  });
  if (settled.status !== "processed" || !settled.licenseId) throw new Error("no purchase");
  return { purchaseId, licenseId: settled.licenseId };
}

/** One guarded action: where it posts, a body that would work, and what it changes. */
interface Case {
  name: string;
  setUp: () => Promise<{
    path: string;
    body: Record<string, string>;
    /** Everything the action would change, read from D1. */
    state: () => Promise<unknown>;
    /** The answer once it went through. */
    done: (response: Response) => Promise<void> | void;
  }>;
}

const redirected = (response: Response) => {
  expect(response.status).toBe(302);
};

const CASES: Case[] = [
  {
    name: "ban",
    async setUp() {
      const target = await createUser(db);
      return {
        path: `/admin/users/${target.id}`,
        body: { intent: "ban", reason: "Chargeback fraud" },
        state: async () =>
          (await db.select().from(users).where(eq(users.id, target.id)))[0]!.accountStatus,
        done: redirected,
      };
    },
  },
  {
    name: "change-role",
    async setUp() {
      const target = await createUser(db);
      return {
        path: `/admin/users/${target.id}`,
        body: { intent: "change-role", role: "ADMIN" },
        state: async () => (await db.select().from(users).where(eq(users.id, target.id)))[0]!.role,
        done: redirected,
      };
    },
  },
  {
    name: "refund",
    async setUp() {
      const { purchaseId } = await completedPurchase();
      return {
        path: `/admin/purchases/${purchaseId}`,
        body: { intent: "refund", reason: "Asked nicely" },
        state: async () =>
          (
            await db
              .select({ status: digitalProductPurchases.status })
              .from(digitalProductPurchases)
              .where(eq(digitalProductPurchases.id, purchaseId))
          )[0]!.status,
        done: redirected,
      };
    },
  },
  {
    name: "revoke",
    async setUp() {
      const { licenseId } = await completedPurchase();
      return {
        path: `/admin/licenses/${licenseId}`,
        body: { intent: "revoke", reason: "Key shared publicly" },
        state: async () =>
          (
            await db
              .select({ status: licenses.status })
              .from(licenses)
              .where(eq(licenses.id, licenseId))
          )[0]!.status,
        done: redirected,
      };
    },
  },
  {
    name: "adjust",
    async setUp() {
      const member = await createUser(db);
      const membership = await createMembership(db, { userId: member.id, credits: 10 });
      return {
        path: `/admin/memberships/${membership.id}`,
        body: {
          intent: "adjust",
          amount: "25",
          reason: "Goodwill",
          token: `stepup${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`,
        },
        state: async () =>
          (
            await db
              .select({ id: creditTransactions.id })
              .from(creditTransactions)
              .where(eq(creditTransactions.membershipId, membership.id))
          ).length,
        done: redirected,
      };
    },
  },
  {
    name: "refund-pack",
    async setUp() {
      const member = await createUser(db);
      const membership = await createMembership(db, { userId: member.id, credits: 10 });
      const [checkout] = await db
        .insert(membershipCheckouts)
        .values({
          userId: member.id,
          kind: "CREDIT_PACK",
          pack: "pack-10",
          credits: 10,
          amountCents: 2500,
          currency: "USD",
          status: "COMPLETED",
          provider: "TEST",
          membershipId: membership.id,
          completedAt: new Date(),
        })
        .returning();
      await topUp(db, {
        membershipId: membership.id,
        amount: 10,
        idempotencyKey: `stepup-pack:${checkout!.id}`,
        description: "Credit pack: 10 credits",
        now: new Date(),
      });
      return {
        path: `/admin/memberships/${membership.id}`,
        body: { intent: "refund-pack", checkoutId: checkout!.id, reason: "Bought twice" },
        state: async () =>
          (
            await db
              .select({ status: membershipCheckouts.status })
              .from(membershipCheckouts)
              .where(eq(membershipCheckouts.id, checkout!.id))
          )[0]!.status,
        done: redirected,
      };
    },
  },
  {
    name: "grant",
    async setUp() {
      const target = await createUser(db);
      return {
        path: "/admin/memberships/new",
        body: { intent: "grant", userId: target.id, tier: "PRO", reason: "Prize" },
        state: async () =>
          (await db.select().from(memberships).where(eq(memberships.userId, target.id))).length,
        done: redirected,
      };
    },
  },
  {
    name: "restore-dry-run",
    async setUp() {
      // No backup of that id: past the step-up, the dry run answers "no such backup" (404).
      return {
        path: "/admin/backups?index",
        body: { intent: "restore-dry-run", backupId: "nosuchbackup00" },
        state: async () => null,
        done: (response) => {
          expect(response.status).toBe(404);
        },
      };
    },
  },
];

/** The staff member's own audit rows about two-factor codes. */
const codeRejections = (userId: string) =>
  db
    .select()
    .from(auditLogs)
    .where(and(eq(auditLogs.actorId, userId), eq(auditLogs.action, "TWO_FACTOR_CODE_REJECTED")));

describe("staff step-up", () => {
  beforeAll(() => {
    expect(STEP_UP_MAX_AGE_MS).toBe(10 * MINUTE);
  });

  it("guards exactly the intents of the issue", () => {
    expect(STEP_UP_INTENTS).toEqual({
      "routes/admin.users.$userId": ["ban", "change-role"],
      "routes/admin.purchases.$purchaseId": ["refund"],
      "routes/admin.licenses.$licenseId": ["revoke"],
      "routes/admin.memberships.$membershipId": ["adjust", "refund-pack"],
      "routes/admin.memberships.new": ["grant"],
      "routes/admin.backups._index": ["restore-dry-run"],
    });
  });

  for (const action of CASES) {
    describe(action.name, () => {
      it("is refused with an 11-minute-old verification: 403, the code asked inline, nothing changes", async () => {
        const who = await staff(11);
        const { path, body, state } = await action.setUp();
        const before = await state();

        const response = await submit(path, body, who);
        expect(response.status).toBe(403);
        const html = await response.text();
        expect(html).toContain("Confirm it&#x27;s you: enter the current code");
        expect(html).toContain("a code from the last 10 minutes");
        expect(html).toMatch(/<input[^>]*name="code"/);
        // The rest of the form is kept as typed (the reason box, where the form has one).
        if (body.reason) expect(html).toContain(body.reason);
        expect(await state()).toEqual(before);

        const wrong = await submit(path, { ...body, code: await wrongCode(who) }, who);
        expect(wrong.status).toBe(400);
        const wrongHtml = await wrong.text();
        expect(wrongHtml).toContain("That code isn");
        expect(wrongHtml).toMatch(/<input[^>]*name="code"/);
        expect(await state()).toEqual(before);
        expect(await codeRejections(who.id)).toHaveLength(1);
      });

      it("goes through with a right code, which makes the session fresh for 10 minutes", async () => {
        const who = await staff(11);
        const { path, body, state, done } = await action.setUp();
        const before = await state();

        const response = await submit(path, { ...body, code: await currentCode(who) }, who);
        await done(response);
        if (action.name !== "restore-dry-run") expect(await state()).not.toEqual(before);
        const at = await verifiedAt(who.id);
        expect(Date.now() - at!.getTime()).toBeLessThan(MINUTE);
      });

      it("goes through without a code when the session proved one 9 minutes ago", async () => {
        const who = await staff(9);
        const { path, body, state, done } = await action.setUp();
        const before = await state();
        await done(await submit(path, body, who));
        if (action.name !== "restore-dry-run") expect(await state()).not.toEqual(before);
      });
    });
  }

  it("does not accept the same code twice (a replayed step-up)", async () => {
    const who = await staff(30);
    const code = await currentCode(who);
    const first = await CASES[0]!.setUp();
    await first.done(await submit(first.path, { ...first.body, code }, who));

    await setVerifiedAt(who.id, new Date(Date.now() - 11 * MINUTE));
    const second = await CASES[0]!.setUp();
    const before = await second.state();
    const replay = await submit(second.path, { ...second.body, code }, who);
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain("That code was just used");
    expect(await second.state()).toEqual(before);
  });

  it("leaves actions outside the list alone (a lock needs no fresh code)", async () => {
    const who = await staff(60);
    const target = await createUser(db);
    const response = await submit(
      `/admin/users/${target.id}`,
      { intent: "lock", reason: "Looks compromised" },
      who,
    );
    expect(response.status).toBe(302);
    const [row] = await db.select().from(users).where(eq(users.id, target.id));
    expect(row!.accountStatus).toBe("LOCKED");
  });
});
