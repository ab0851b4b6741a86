import { env } from "cloudflare:test";
import { SELF } from "../../helpers/worker";
import { and, desc, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import {
  auditLogs,
  creditTransactions,
  emailOutbox,
  membershipInvitations,
  membershipMembers,
  type MembershipTier,
} from "#db/schema";
import { spend } from "~/services/ledger.server";
import { revokeInvitation } from "~/services/membership-team.server";
import { createMembership, createProject, createUser } from "../../factories";
import { ORIGIN, postForm, sessionCookieFor } from "../../helpers/session";

/** Shared memberships (issue 15 item 1) through the pages: invite, join, manage, leave. */

const db = createDb(env.DB);
const DAY = 86_400_000;

async function person(overrides: Parameters<typeof createUser>[1] = {}) {
  const user = await createUser(db, overrides);
  return { user, cookie: await sessionCookieFor(user.id) };
}

async function owner(tier: MembershipTier = "PRO", credits = 10) {
  const who = await person();
  const membership = await createMembership(db, { userId: who.user.id, tier, credits });
  return { ...who, membership };
}

async function submit(path: string, fields: Record<string, string>, cookie?: string) {
  const request = postForm(path, fields, { cookie });
  return SELF.fetch(`${ORIGIN}${request.path}`, request.init);
}

const get = (path: string, cookie?: string) =>
  SELF.fetch(`${ORIGIN}${path}`, { redirect: "manual", headers: cookie ? { Cookie: cookie } : {} });

/** The join link of the newest invitation emailed to `email`. */
async function invitationLink(email: string): Promise<string> {
  const [mail] = await db
    .select({ body: emailOutbox.bodyText })
    .from(emailOutbox)
    .where(and(eq(emailOutbox.toEmail, email), eq(emailOutbox.template, "membership-invitation")))
    .orderBy(desc(sql`rowid`))
    .limit(1);
  const match = mail?.body.match(/https?:\/\/[^\s]+\/account\/membership\/join\/([A-Za-z0-9_-]+)/);
  if (!match) throw new Error(`no invitation emailed to ${email}`);
  return `/account/membership/join/${match[1]}`;
}

const seatsOf = (membershipId: string) =>
  db.select().from(membershipMembers).where(eq(membershipMembers.membershipId, membershipId));

const auditOf = (membershipId: string, action: string) =>
  db
    .select()
    .from(auditLogs)
    .where(and(eq(auditLogs.entityId, membershipId), sql`${auditLogs.action} = ${action}`));

async function invite(from: { cookie: string }, email: string) {
  return submit("/account/membership", { intent: "invite", email }, from.cookie);
}

/** Owner invites, invitee opens the emailed link and joins. */
async function join(
  team: Awaited<ReturnType<typeof owner>>,
  who?: Awaited<ReturnType<typeof person>>,
) {
  const mate = who ?? (await person());
  expect((await invite(team, mate.user.email)).status).toBe(302);
  const link = await invitationLink(mate.user.email);
  const joined = await submit(link, {}, mate.cookie);
  expect(joined.status).toBe(302);
  return { ...mate, link };
}

describe("inviting and joining", () => {
  it("owner invites → emailed link → the invitee joins: seat, spent invitation, audit, owner's email", async () => {
    const team = await owner("PRO");
    const mate = await person();
    const invited = await invite(team, `  ${mate.user.email.toUpperCase()} `);
    expect(invited.status).toBe(302);
    const [pending] = await db
      .select()
      .from(membershipInvitations)
      .where(eq(membershipInvitations.membershipId, team.membership.id));
    expect(pending).toMatchObject({ email: mate.user.email, status: "PENDING" });
    expect(pending!.expiresAt.getTime() - pending!.createdAt.getTime()).toBe(7 * DAY);
    const link = await invitationLink(mate.user.email);
    expect(pending!.tokenHash).not.toContain(link.split("/").pop()!);

    const page = await get(link, mate.cookie);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`${team.user.name} invited you to their Pro membership`);
    expect(html).toContain("Join the membership");

    const joined = await submit(link, {}, mate.cookie);
    expect(joined.status).toBe(302);
    expect(joined.headers.get("Location")).toBe("/account/membership");
    const seats = await seatsOf(team.membership.id);
    expect(seats.map((seat) => [seat.userId, seat.role]).sort()).toEqual(
      [
        [team.user.id, "OWNER"],
        [mate.user.id, "MEMBER"],
      ].sort(),
    );
    const [accepted] = await db
      .select()
      .from(membershipInvitations)
      .where(eq(membershipInvitations.id, pending!.id));
    expect(accepted).toMatchObject({ status: "ACCEPTED", acceptedById: mate.user.id });
    expect(await auditOf(team.membership.id, "MEMBERSHIP_INVITATION_SENT")).toHaveLength(1);
    expect(await auditOf(team.membership.id, "MEMBERSHIP_MEMBER_JOINED")).toHaveLength(1);
    const toOwner = await db
      .select()
      .from(emailOutbox)
      .where(
        and(
          eq(emailOutbox.toEmail, team.user.email),
          eq(emailOutbox.template, "membership-member-joined"),
        ),
      );
    expect(toOwner).toHaveLength(1);

    // The teammate's page shows the pool, their usage and Leave, not billing controls.
    const mine = await (await get("/account/membership", mate.cookie)).text();
    expect(mine).toContain("Pool balance");
    expect(mine).toContain("10 credits");
    expect(mine).toContain(`Leave ${team.user.name}&#x27;s membership`);
    expect(mine).not.toContain("auto-renew");
    expect(mine).not.toContain("Buy credits");
    // The owner's team page lists the teammate.
    const theirs = await (await get("/account/membership/team", team.cookie)).text();
    expect(theirs).toContain("2 of 3 seats");
    expect(theirs).toContain(mate.user.email);
  });

  it("a link works once: used again it is refused and nothing more is written", async () => {
    const team = await owner("MANAGED");
    const mate = await join(team);
    const again = await submit(mate.link, {}, mate.cookie);
    expect(again.status).toBe(410);
    expect(await again.text()).toContain("already been used");
    expect(await seatsOf(team.membership.id)).toHaveLength(2);
    expect(await auditOf(team.membership.id, "MEMBERSHIP_MEMBER_JOINED")).toHaveLength(1);
  });

  it("an expired link and a withdrawn one are refused", async () => {
    const team = await owner("PRO");
    const late = await person();
    await invite(team, late.user.email);
    const lateLink = await invitationLink(late.user.email);
    await db
      .update(membershipInvitations)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(membershipInvitations.email, late.user.email));
    expect((await get(lateLink, late.cookie)).status).toBe(410);
    const refused = await submit(lateLink, {}, late.cookie);
    expect(refused.status).toBe(410);
    expect(await refused.text()).toContain("expired");

    const withdrawn = await person();
    await invite(team, withdrawn.user.email);
    const link = await invitationLink(withdrawn.user.email);
    const [row] = await db
      .select()
      .from(membershipInvitations)
      .where(eq(membershipInvitations.email, withdrawn.user.email));
    const revoked = await submit(
      "/account/membership",
      { intent: "revoke-invitation", invitationId: row!.id },
      team.cookie,
    );
    expect(revoked.status).toBe(302);
    expect(await auditOf(team.membership.id, "MEMBERSHIP_INVITATION_REVOKED")).toHaveLength(1);
    const tooLate = await submit(link, {}, withdrawn.cookie);
    expect(tooLate.status).toBe(410);
    expect(await tooLate.text()).toContain("withdrew");
    expect(await seatsOf(team.membership.id)).toHaveLength(1);
  });

  it("audits one withdrawal when two parallel revokes share the same millisecond", async () => {
    // workerd's clock only moves on I/O: the losing revoke must not take the winner's
    // `responded_at` as proof that it withdrew the invitation itself.
    const team = await owner("PRO");
    const invitee = await person();
    await invite(team, invitee.user.email);
    const [row] = await db
      .select()
      .from(membershipInvitations)
      .where(eq(membershipInvitations.email, invitee.user.email));
    const now = new Date();
    const revoke = () =>
      revokeInvitation(db, {
        userId: team.user.id,
        actor: { id: team.user.id, role: team.user.role },
        invitationId: row!.id,
        now,
      });
    const results = await Promise.all([revoke(), revoke()]);
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(await auditOf(team.membership.id, "MEMBERSHIP_INVITATION_REVOKED")).toHaveLength(1);
  });

  it("only the invited, verified address can accept", async () => {
    const team = await owner("PRO");
    const invited = await person();
    const other = await person();
    await invite(team, invited.user.email);
    const link = await invitationLink(invited.user.email);
    const wrong = await submit(link, {}, other.cookie);
    expect(wrong.status).toBe(403);
    expect(await wrong.text()).toContain(`sent to ${invited.user.email}`);

    const unverified = await person({ emailVerifiedAt: null });
    await invite(team, unverified.user.email);
    const link2 = await invitationLink(unverified.user.email);
    const notYet = await submit(link2, {}, unverified.cookie);
    expect(notYet.status).toBe(403);
    expect(await notYet.text()).toContain("Confirm your email address first");
    expect(await seatsOf(team.membership.id)).toHaveLength(1);
  });

  it("a logged-out visitor is sent to log in, with the link to come back to", async () => {
    const response = await get("/account/membership/join/abc");
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(
      `/login?${new URLSearchParams({ redirectTo: "/account/membership/join/abc" })}`,
    );
  });

  it("inviting the same address again re-sends (new link, one row); seats count waiting invitations", async () => {
    const team = await owner("PRO"); // 3 seats: the owner + 2
    const first = await person();
    await invite(team, first.user.email);
    const oldLink = await invitationLink(first.user.email);
    expect((await invite(team, first.user.email)).status).toBe(302);
    const newLink = await invitationLink(first.user.email);
    expect(newLink).not.toBe(oldLink);
    const rows = await db
      .select()
      .from(membershipInvitations)
      .where(eq(membershipInvitations.membershipId, team.membership.id));
    expect(rows).toHaveLength(1);
    expect((await submit(oldLink, {}, first.cookie)).status).toBe(404);

    expect((await invite(team, "second@example.com")).status).toBe(302);
    const full = await invite(team, "third@example.com");
    expect(full.status).toBe(429);
    expect(await full.text()).toContain("All 3 seats");
    // A waiting invitation can still be sent again when the seats are full.
    expect((await invite(team, "second@example.com")).status).toBe(302);
  });

  it("two invitations sent at once cannot both take the last seat", async () => {
    const team = await owner("PRO");
    await invite(team, "one@example.com");
    const results = await Promise.all(
      ["a@example.com", "b@example.com", "c@example.com", "d@example.com"].map((email) =>
        invite(team, email),
      ),
    );
    expect(results.filter((response) => response.status === 302)).toHaveLength(1);
    const pending = await db
      .select()
      .from(membershipInvitations)
      .where(eq(membershipInvitations.membershipId, team.membership.id));
    expect(pending).toHaveLength(2);
  });

  it("BASIC_ACCESS is for one person: inviting is refused inline", async () => {
    const team = await owner("BASIC_ACCESS");
    const refused = await invite(team, "friend@example.com");
    expect(refused.status).toBe(429);
    expect(await refused.text()).toContain("Basic access is for one person");
    const html = await (await get("/account/membership/team", team.cookie)).text();
    expect(html).toContain("Basic access is for one person");
  });

  it("a teammate cannot invite, remove or set caps", async () => {
    const team = await owner("MANAGED");
    const mate = await join(team);
    expect((await invite(mate, "x@example.com")).status).toBe(403);
    const [ownerSeat] = (await seatsOf(team.membership.id)).filter((s) => s.role === "OWNER");
    const removal = await submit(
      "/account/membership",
      { intent: "remove-member", memberId: ownerSeat!.id },
      mate.cookie,
    );
    expect(removal.status).toBe(403);
  });
});

describe("a user belongs to at most one membership", () => {
  it("refuses to invite someone already on another team, and a teammate joining a second team", async () => {
    const a = await owner("PRO");
    const b = await owner("PRO");
    const mate = await join(a);
    const refused = await invite(b, mate.user.email);
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain("already belongs to another membership");

    // An invitation sent before they joined elsewhere: accepting it is refused.
    const other = await person();
    await invite(b, other.user.email);
    const linkB = await invitationLink(other.user.email);
    await join(a, other);
    const second = await submit(linkB, {}, other.cookie);
    expect(second.status).toBe(409);
    expect(await second.text()).toContain(`You are on ${a.user.name}'s team membership`);
    expect(await seatsOf(b.membership.id)).toHaveLength(1);
  });

  it("refuses someone who owns a live membership; an expired one of theirs gives way", async () => {
    const team = await owner("PRO");
    const rival = await person();
    await invite(team, rival.user.email);
    const link = await invitationLink(rival.user.email);
    // They start a membership of their own after the invitation was sent.
    const theirs = await createMembership(db, { userId: rival.user.id, tier: "BASIC_ACCESS" });
    const refused = await submit(link, {}, rival.cookie);
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain("You have a membership of your own");

    await db.run(
      sql`update "memberships" set "status" = 'EXPIRED', "total_credits" = 0, "used_credits" = 0 where "id" = ${theirs.id}`,
    );
    const joined = await submit(link, {}, rival.cookie);
    expect(joined.status).toBe(302);
    const [seat] = await db
      .select()
      .from(membershipMembers)
      .where(eq(membershipMembers.userId, rival.user.id));
    expect(seat).toMatchObject({ membershipId: team.membership.id, role: "MEMBER" });
  });

  it("a teammate subscribing on their own is refused with a clear sentence", async () => {
    const team = await owner("PRO");
    const mate = await join(team);
    const response = await submit("/checkout/membership", { tier: "PRO" }, mate.cookie);
    expect(response.status).toBe(409);
    expect(await response.text()).toContain(
      `You are on ${team.user.name}'s team membership; leave it before starting your own`,
    );
  });
});

describe("managing the team", () => {
  it("the owner sets and clears a cap; out-of-range caps are refused inline", async () => {
    const team = await owner("PRO");
    const mate = await join(team);
    const [seat] = (await seatsOf(team.membership.id)).filter((s) => s.role === "MEMBER");
    const tooBig = await submit(
      "/account/membership",
      { intent: "set-cap", memberId: seat!.id, cap: "10001" },
      team.cookie,
    );
    expect(tooBig.status).toBe(400);
    expect(await tooBig.text()).toContain("from 0 to 10000");
    for (const [cap, stored] of [
      ["6", 6],
      ["", null],
      ["0", 0],
    ] as const) {
      const set = await submit(
        "/account/membership",
        { intent: "set-cap", memberId: seat!.id, cap },
        team.cookie,
      );
      expect(set.status, cap).toBe(302);
      const [row] = await db
        .select()
        .from(membershipMembers)
        .where(eq(membershipMembers.id, seat!.id));
      expect(row!.periodCap, cap).toBe(stored);
    }
    expect(await auditOf(team.membership.id, "MEMBERSHIP_MEMBER_CAP_CHANGED")).toHaveLength(3);
    const mine = await (await get("/account/membership", mate.cookie)).text();
    expect(mine).toContain("0 credits");
  });

  it("the owner removes a teammate (emailed); a teammate leaves (owner emailed)", async () => {
    const team = await owner("MANAGED");
    const gone = await join(team);
    const leaver = await join(team);
    const [seat] = (await seatsOf(team.membership.id)).filter((s) => s.userId === gone.user.id);
    const removed = await submit(
      "/account/membership",
      { intent: "remove-member", memberId: seat!.id },
      team.cookie,
    );
    expect(removed.status).toBe(302);
    const left = await submit("/account/membership", { intent: "leave" }, leaver.cookie);
    expect(left.status).toBe(302);
    expect((await seatsOf(team.membership.id)).map((s) => s.userId)).toEqual([team.user.id]);
    expect(await auditOf(team.membership.id, "MEMBERSHIP_MEMBER_REMOVED")).toHaveLength(1);
    expect(await auditOf(team.membership.id, "MEMBERSHIP_MEMBER_LEFT")).toHaveLength(1);
    const templates = await db
      .select({ to: emailOutbox.toEmail, template: emailOutbox.template })
      .from(emailOutbox)
      .where(
        sql`${emailOutbox.template} in ('membership-member-removed', 'membership-member-left')`,
      );
    expect(templates).toEqual(
      expect.arrayContaining([
        { to: gone.user.email, template: "membership-member-removed" },
        { to: team.user.email, template: "membership-member-left" },
      ]),
    );
    const page = await (await get("/account/membership", gone.cookie)).text();
    expect(page).toContain("You&#x27;re not a member yet");
    // The owner can't leave their own membership.
    expect((await submit("/account/membership", { intent: "leave" }, team.cookie)).status).toBe(
      409,
    );
  });
});

describe("spending from the pool", () => {
  const usageOf = (membershipId: string) =>
    db
      .select()
      .from(creditTransactions)
      .where(
        and(
          eq(creditTransactions.membershipId, membershipId),
          eq(creditTransactions.type, "USAGE"),
        ),
      );

  it("two teammates spend in parallel from one pool of 10: 20 spends of 3 → exactly 3, each naming its spender", async () => {
    const team = await owner("MANAGED", 10);
    const a = await join(team);
    const b = await join(team);
    const now = new Date();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        spend(db, {
          membershipId: team.membership.id,
          spenderId: i % 2 === 0 ? a.user.id : b.user.id,
          amount: 3,
          idempotencyKey: `pool:${team.membership.id}:${i}`,
          description: `Spend ${i}`,
          now,
        }),
      ),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(3);
    const rows = await usageOf(team.membership.id);
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      const i = Number(row.idempotencyKey.split(":").pop());
      expect(row.userId).toBe(i % 2 === 0 ? a.user.id : b.user.id);
    }
  });

  it("add-on requests of two teammates in parallel: the pool holds, the rows name the requesting client, the owner sees usage per person", async () => {
    const team = await owner("MANAGED", 10);
    const a = await join(team);
    const b = await join(team);
    const projects = {
      [a.user.id]: await createProject(db, { clientId: a.user.id, phase: "BUILD" }),
      [b.user.id]: await createProject(db, { clientId: b.user.id, phase: "BUILD" }),
    };
    const responses = await Promise.all(
      [a, b, a, b, a, b].map((mate) =>
        submit(
          `/account/projects/${projects[mate.user.id]!.id}`,
          { intent: "add-on", type: "SUPPORT_CALL", description: "" },
          mate.cookie,
        ),
      ),
    );
    expect(responses.filter((response) => response.status === 302)).toHaveLength(2); // 4 + 4 ≤ 10
    const rows = await usageOf(team.membership.id);
    expect(rows).toHaveLength(2);
    const spenders = new Set([a.user.id, b.user.id]);
    for (const row of rows) expect(spenders.has(row.userId)).toBe(true);
    const html = await (await get("/account/membership/team", team.cookie)).text();
    const used = rows.reduce(
      (sum, row) => sum.set(row.userId, (sum.get(row.userId) ?? 0) - row.amount),
      new Map<string, number>(),
    );
    for (const [, credits] of used) expect(html).toContain(`${credits} credits used this period`);
  });

  it("a per-teammate cap holds under parallel spends: cap 6, 10 spends of 3 → 2", async () => {
    const team = await owner("MANAGED", 100);
    const mate = await join(team);
    const [seat] = (await seatsOf(team.membership.id)).filter((s) => s.role === "MEMBER");
    expect(
      (
        await submit(
          "/account/membership",
          { intent: "set-cap", memberId: seat!.id, cap: "6" },
          team.cookie,
        )
      ).status,
    ).toBe(302);
    const now = new Date();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        spend(db, {
          membershipId: team.membership.id,
          spenderId: mate.user.id,
          amount: 3,
          idempotencyKey: `cap:${team.membership.id}:${i}`,
          description: `Spend ${i}`,
          now,
        }),
      ),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(2);
    const refused = results.find((result) => !result.ok);
    expect(refused).toMatchObject({ reason: "over-teammate-cap" });
    const html = await (await get("/account/membership", mate.cookie)).text();
    expect(html).toContain("You can spend 0 more credits this period.");
  });

  it("a removed teammate can no longer spend; their past usage stays", async () => {
    const team = await owner("MANAGED", 20);
    const mate = await join(team);
    const project = await createProject(db, { clientId: mate.user.id, phase: "BUILD" });
    const path = `/account/projects/${project.id}`;
    const fields = { intent: "add-on", type: "SUPPORT_CALL", description: "" };
    expect((await submit(path, fields, mate.cookie)).status).toBe(302);
    const [seat] = (await seatsOf(team.membership.id)).filter((s) => s.role === "MEMBER");
    await submit(
      "/account/membership",
      { intent: "remove-member", memberId: seat!.id },
      team.cookie,
    );
    const refused = await submit(path, fields, mate.cookie);
    expect(refused.status).toBe(429);
    expect(await refused.text()).toContain("you have no membership");
    const direct = await spend(db, {
      membershipId: team.membership.id,
      spenderId: mate.user.id,
      amount: 1,
      idempotencyKey: `removed:${team.membership.id}`,
      description: "After removal",
      now: new Date(),
    });
    expect(direct).toMatchObject({ ok: false, reason: "not-a-member" });
    const rows = await usageOf(team.membership.id);
    expect(rows.map((row) => row.userId)).toEqual([mate.user.id]);
  });
});
