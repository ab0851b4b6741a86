import { env } from "cloudflare:test";
import { SELF } from "../../helpers/worker";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { creditTransactions, membershipInvitations, memberships } from "#db/schema";
import { createMembership, createUser } from "../../factories";
import { ORIGIN, postForm, sessionCookieFor } from "../../helpers/session";

/**
 * The membership's three pages (issue 17 split /account/membership so each page carries only
 * its own JavaScript): the plan, the credit history and the team, each reachable from the
 * others, each only for whom it concerns.
 */

const db = createDb(env.DB);

async function person() {
  const user = await createUser(db, {});
  return { user, cookie: await sessionCookieFor(user.id) };
}

async function owner(tier: "BASIC_ACCESS" | "PRO" | "MANAGED" = "PRO") {
  const who = await person();
  const membership = await createMembership(db, { userId: who.user.id, tier, credits: 40 });
  return { ...who, membership };
}

const pageText = async (response: Response) => (await response.text()).replaceAll("<!-- -->", "");

const get = (path: string, cookie?: string) =>
  SELF.fetch(`${ORIGIN}${path}`, { redirect: "manual", headers: cookie ? { Cookie: cookie } : {} });

async function submit(path: string, fields: Record<string, string>, cookie?: string) {
  const request = postForm(path, fields, { cookie });
  return SELF.fetch(`${ORIGIN}${request.path}`, request.init);
}

/** The toast a redirect set, as the next page shows it. */
async function followWithToast(response: Response, cookie: string) {
  const toast = response.headers.get("Set-Cookie")?.split(";")[0] ?? "";
  return pageText(await get(response.headers.get("Location")!, `${cookie}; ${toast}`));
}

describe("the membership's pages", () => {
  it("the plan page links its credit history and team, and carries neither", async () => {
    const { cookie } = await owner();
    const html = await (await get("/account/membership", cookie)).text();
    expect(html).toContain('<nav aria-label="Membership" class="page-tabs">');
    expect(html).toMatch(/aria-current="page"[^>]*href="\/account\/membership">Plan</);
    expect(html).toContain('href="/account/membership/credits"');
    expect(html).toContain('href="/account/membership/team"');
    expect(html).toContain("Auto-renew");
    expect(html).not.toContain('data-testid="ledger"');
    expect(html).not.toContain('data-testid="team-section"');
  });

  it("the credit history pages the owner's ledger newest first and draws the balance", async () => {
    const { user, cookie, membership } = await owner();
    // 30 more rows: a page holds 25, so the oldest rows are on the second page.
    const rows = Array.from({ length: 30 }, (_, index) =>
      db.insert(creditTransactions).values({
        membershipId: membership.id,
        userId: user.id,
        type: "ADJUSTMENT",
        amount: 1,
        balance: 41 + index,
        description: `Correction number ${index + 1}`,
        idempotencyKey: `pages-test:${membership.id}:${index}`,
      }),
    );
    await db.batch([rows[0]!, ...rows.slice(1)]);
    const first = await get("/account/membership/credits", cookie);
    expect(first.status).toBe(200);
    expect(first.headers.get("Cache-Control")).toContain("private");
    const html = await first.text();
    expect(html).toMatch(/aria-current="page"[^>]*>Credit history</);
    expect(html).toContain('data-testid="credits-chart"');
    expect(html).toContain("Correction number 30");
    expect(html).not.toContain("Opening allocation");
    const next = html.match(/href="(\/account\/membership\/credits\?cursor=[^"]+)"/);
    expect(next).not.toBeNull();
    const second = await pageText(await get(next![1]!.replaceAll("&amp;", "&"), cookie));
    expect(second).toContain("Opening allocation");
    expect(second).not.toContain("Correction number 30");
  });

  it("the team page answers its own forms: a change comes back to it, a refusal stays inline", async () => {
    const team = await owner("PRO");
    const page = await get("/account/membership/team", team.cookie);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/aria-current="page"[^>]*>Team</);

    const invited = await submit(
      "/account/membership/team",
      { intent: "invite", email: "friend@example.com" },
      team.cookie,
    );
    expect(invited.status).toBe(302);
    expect(invited.headers.get("Location")).toBe("/account/membership/team");
    expect(await followWithToast(invited, team.cookie)).toContain("friend@example.com");

    const basic = await owner("BASIC_ACCESS");
    const refused = await submit(
      "/account/membership/team",
      { intent: "invite", email: "friend@example.com" },
      basic.cookie,
    );
    expect(refused.status).toBe(429);
    const inline = await refused.text();
    expect(inline).toContain('data-testid="team-section"');
    expect(inline).toContain("Basic access is for one person");

    const mistyped = await submit(
      "/account/membership/team",
      { intent: "invite", email: "friend@example" },
      team.cookie,
    );
    expect(mistyped.status).toBe(400);
    const form = await mistyped.text();
    expect(form).toContain("Enter a valid email address");
    expect(form).toContain('value="friend@example"');
  });

  it("a team form posted to /account/membership (the URL contract) still works, and says why not at the top", async () => {
    const team = await owner("PRO");
    const invited = await submit(
      "/account/membership",
      { intent: "invite", email: "colleague@example.com" },
      team.cookie,
    );
    expect(invited.status).toBe(302);
    expect(invited.headers.get("Location")).toBe("/account/membership/team");
    expect(
      await db
        .select()
        .from(membershipInvitations)
        .where(
          and(
            eq(membershipInvitations.membershipId, team.membership.id),
            eq(membershipInvitations.email, "colleague@example.com"),
          ),
        ),
    ).toHaveLength(1);

    const bad = await submit(
      "/account/membership",
      { intent: "invite", email: "nope" },
      team.cookie,
    );
    expect(bad.status).toBe(400);
    const html = await bad.text();
    expect(html).toMatch(/<div class="form-error" role="alert">[^<]*email/i);
    expect(html).toMatch(/<a [^>]*href="\/account\/membership\/team">Open your team<\/a>/);
  });

  it("only the owner of a running membership has a team page; only an owner has a history", async () => {
    const stranger = await person();
    for (const path of ["/account/membership/credits", "/account/membership/team"]) {
      const response = await get(path, stranger.cookie);
      expect(response.status).toBe(302);
      expect(response.headers.get("Location")).toBe("/account/membership");
      expect((await get(path)).headers.get("Location")).toMatch(/^\/login\?redirectTo=/);
    }

    const ended = await owner("PRO");
    await db
      .update(memberships)
      .set({ status: "EXPIRED" })
      .where(eq(memberships.id, ended.membership.id));
    expect((await get("/account/membership/team", ended.cookie)).headers.get("Location")).toBe(
      "/account/membership",
    );
    const history = await get("/account/membership/credits", ended.cookie);
    expect(history.status).toBe(200);
    const html = await history.text();
    expect(html).toContain("Opening allocation");
    expect(html).not.toContain('href="/account/membership/team"');
  });
});
