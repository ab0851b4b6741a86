import { env } from "cloudflare:test";
import { SELF } from "../../helpers/worker";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { auditLogs, downloads, licenses, users } from "#db/schema";
import { createMembership, createProject, createUser } from "../../factories";
import { deviceFor, licenseFor } from "../../helpers/licenses";
import { ORIGIN, postForm, sessionCookieFor } from "../../helpers/session";

const db = createDb(env.DB);
const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

const get = (path: string, cookie: string) =>
  SELF.fetch(`${ORIGIN}${path}`, { headers: { Cookie: cookie }, redirect: "manual" });

/** The index route's action: Remix sends a POST to /account to the layout unless `?index`. */
const PROFILE_ACTION = "/account?index";

const send = ({ path, init }: ReturnType<typeof postForm>) => SELF.fetch(`${ORIGIN}${path}`, init);

/** A redeemed download of `licenseId`, `ageMs` ago. */
async function downloaded(
  license: { licenseId: string; productId: string },
  userId: string,
  ageMs: number,
) {
  const at = new Date(Date.now() - ageMs);
  await db.insert(downloads).values({
    licenseId: license.licenseId,
    userId,
    productId: license.productId,
    status: "COMPLETED",
    grantExpiresAt: new Date(at.getTime() + 5 * 60 * 1000),
    redeemedAt: at,
    createdAt: at,
  });
}

/** The text inside the element carrying `data-testid="<id>"` (and its children). */
function section(html: string, id: string): string {
  const start = html.indexOf(`data-testid="${id}"`);
  expect(start, `no ${id} on the page`).toBeGreaterThan(-1);
  const end = html.indexOf("</section>", start);
  return html.slice(start, end).replace(/<!-- -->/g, "");
}

const profileAudits = (userId: string) =>
  db
    .select()
    .from(auditLogs)
    .where(and(eq(auditLogs.entityId, userId), eq(auditLogs.action, "PROFILE_UPDATED")));

describe("/account overview", () => {
  it("shows licenses with downloads left, the credit balance, open projects and security", async () => {
    const user = await createUser(db, { emailVerifiedAt: null });
    const older = await licenseFor(user.id, { now: new Date(Date.now() - 3 * DAY_MS) });
    const newer = await licenseFor(user.id, { now: new Date(Date.now() - DAY_MS) });
    const revoked = await licenseFor(user.id, { now: new Date(Date.now() - 2 * DAY_MS) });
    await db.update(licenses).set({ status: "REVOKED" }).where(eq(licenses.id, revoked.licenseId));
    // Two downloads of the older license count; one from 20 days ago no longer does.
    const olderIds = { licenseId: older.licenseId, productId: older.product.id };
    await downloaded(olderIds, user.id, 2 * HOUR_MS);
    await downloaded(olderIds, user.id, 3 * DAY_MS - HOUR_MS);
    await downloaded(olderIds, user.id, 20 * DAY_MS);
    // The newer license has used all three.
    const newerIds = { licenseId: newer.licenseId, productId: newer.product.id };
    for (const age of [HOUR_MS, 2 * HOUR_MS, 3 * HOUR_MS]) await downloaded(newerIds, user.id, age);

    await createMembership(db, { userId: user.id, tier: "PRO", credits: 37 });
    await createProject(db, { clientId: user.id, title: "Shop redesign", phase: "BUILD" });
    await createProject(db, { clientId: user.id, title: "Waiting request", acceptedAt: null });
    await createProject(db, { clientId: user.id, title: "Old finished site", phase: "COMPLETED" });
    await deviceFor(user.id);
    await deviceFor(user.id);

    const response = await get("/account", await sessionCookieFor(user.id));
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toContain("no-store");
    const html = await response.text();

    const licensesCard = section(html, "overview-licenses");
    expect(licensesCard).toMatch(/<strong>2<\/strong> active/);
    expect(licensesCard).toContain("of 3");
    const rows = licensesCard.split('data-testid="overview-license"').slice(1);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain(newer.product.name);
    expect(rows[0]).toContain("0 of 3 downloads left");
    expect(rows[0]).toContain("next on");
    expect(rows[1]).toContain(older.product.name);
    expect(rows[1]).toContain("1 of 3 downloads left");
    expect(licensesCard).not.toContain(revoked.product.name);
    expect(licensesCard).toContain('href="/account/licenses"');

    const membershipCard = section(html, "overview-membership");
    expect(membershipCard).toMatch(/<strong>37<\/strong> credits/);
    expect(membershipCard).toContain("Pro");
    expect(membershipCard).toContain("Renews on");
    expect(membershipCard).toContain('href="/account/membership"');

    const projectsCard = section(html, "overview-projects");
    expect(projectsCard).toMatch(/<strong>2<\/strong> open/);
    expect(projectsCard).toContain("Shop redesign");
    expect(projectsCard).toContain("Build");
    expect(projectsCard).toContain("Waiting request");
    expect(projectsCard).toContain("Awaiting review");
    expect(projectsCard).not.toContain("Old finished site");

    const securityCard = section(html, "overview-security");
    expect(securityCard).toContain("Not verified");
    expect(securityCard).toContain("2 devices");
    expect(securityCard).toContain('href="/account/security"');
  });

  it("invites a new user to the next step in every card", async () => {
    const user = await createUser(db);
    const html = await (await get("/account", await sessionCookieFor(user.id))).text();
    expect(section(html, "overview-licenses")).toContain("No licenses yet");
    expect(section(html, "overview-licenses")).toContain('href="/products"');
    expect(section(html, "overview-membership")).toContain("No membership yet");
    expect(section(html, "overview-membership")).toContain('href="/pricing"');
    expect(section(html, "overview-projects")).toContain("No open projects");
    expect(section(html, "overview-projects")).toContain('href="/account/projects/new"');
    expect(section(html, "overview-security")).toContain("Verified");
    expect(html).toMatch(/<input[^>]*name="name"[^>]*value="[^"]+"/);
  });

  it("shows nothing of another user's", async () => {
    const owner = await createUser(db);
    const stranger = await createUser(db);
    const license = await licenseFor(owner.id);
    await createMembership(db, { userId: owner.id, credits: 55 });
    await createProject(db, { clientId: owner.id, title: "Owner-only project" });
    const html = await (await get("/account", await sessionCookieFor(stranger.id))).text();
    expect(html).not.toContain(license.product.name);
    expect(html).not.toContain("Owner-only project");
    expect(html).toContain("No licenses yet");
    expect(html).toContain("No membership yet");
  });
});

describe("/account profile (intent=profile)", () => {
  it("renames the user, audits it without the names, and confirms with a toast", async () => {
    const user = await createUser(db, { name: "Old Name" });
    const cookie = await sessionCookieFor(user.id);
    const response = await send(
      postForm(PROFILE_ACTION, { intent: "profile", name: "  Ada Lovelace  " }, { cookie }),
    );
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/account");
    const toast = response.headers.get("Set-Cookie") ?? "";
    expect(toast).toMatch(/^toast=/);

    const [saved] = await db.select().from(users).where(eq(users.id, user.id));
    expect(saved!.name).toBe("Ada Lovelace");
    const audits = await profileAudits(user.id);
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({
      actorId: user.id,
      entityType: "user",
      metadata: { fields: ["name"] },
    });
    expect(JSON.stringify(audits[0]!.metadata)).not.toContain("Ada");
    expect(JSON.stringify(audits[0]!.metadata)).not.toContain("Old Name");

    const page = await SELF.fetch(`${ORIGIN}/account`, {
      headers: { Cookie: `${cookie}; ${toast.split(";")[0]}` },
    });
    const html = await page.text();
    expect(html).toContain("Your name is saved.");
    expect(html).toContain("Hello, Ada Lovelace");

    // The same name again changes nothing and writes no second audit row.
    await send(postForm(PROFILE_ACTION, { intent: "profile", name: "Ada Lovelace" }, { cookie }));
    expect(await profileAudits(user.id)).toHaveLength(1);
  });

  it("refuses an empty or over-long name inline and changes nothing", async () => {
    const user = await createUser(db, { name: "Kept Name" });
    const cookie = await sessionCookieFor(user.id);
    for (const [name, message] of [
      ["   ", "Enter your name."],
      ["x".repeat(101), "Use at most 100 characters."],
    ] as const) {
      const response = await send(
        postForm(PROFILE_ACTION, { intent: "profile", name }, { cookie }),
      );
      expect(response.status).toBe(400);
      const html = await response.text();
      expect(html).toMatch(new RegExp(`class="field__error"[^>]*>${message}`));
      expect(html).toMatch(
        /<input[^>]*aria-invalid="true"[^>]*name="name"|<input[^>]*name="name"[^>]*aria-invalid="true"/,
      );
    }
    const [saved] = await db.select().from(users).where(eq(users.id, user.id));
    expect(saved!.name).toBe("Kept Name");
    expect(await profileAudits(user.id)).toHaveLength(0);
  });

  it("sends anonymous visitors to log in and changes nothing", async () => {
    const response = await send(postForm(PROFILE_ACTION, { intent: "profile", name: "Nobody" }));
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toContain("/login");
  });
});
