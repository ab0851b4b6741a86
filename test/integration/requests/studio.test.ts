import { env } from "cloudflare:test";
import { SELF } from "../../helpers/worker";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { creditTransactions, serviceAddOns, serviceProjects } from "#db/schema";
import { ADD_ONS } from "~/domain/projects/add-ons";
import { parseEnv } from "~/lib/env.server";
import { createMembership, createProject, createUser } from "../../factories";
import { ORIGIN, postForm, sessionCookieFor } from "../../helpers/session";

/** The studio's pages through the built Worker (issue 11): the URL contract, 404s, refusals. */

const db = createDb(env.DB);
const appEnv = parseEnv(env);
const DAY = 86_400_000;

async function clientWith(credits?: number, overrides: Parameters<typeof createUser>[1] = {}) {
  const user = await createUser(db, overrides);
  const membership =
    credits === undefined ? null : await createMembership(db, { userId: user.id, credits });
  return { user, membership, cookie: await sessionCookieFor(user.id) };
}

async function staffCookie(role: "ADMIN" | "VIEWER") {
  const user = await createUser(
    db,
    { role, twoFactorSecret: "JBSWY3DPEHPK3PXP" },
    { encryptionKeys: appEnv.encryptionKeys },
  );
  return { user, cookie: await sessionCookieFor(user.id, { twoFactorVerified: true }) };
}

const get = (path: string, cookie?: string) =>
  SELF.fetch(`${ORIGIN}${path}`, { redirect: "manual", headers: cookie ? { Cookie: cookie } : {} });

async function submit(path: string, fields: Record<string, string>, cookie?: string) {
  const request = postForm(path, fields, { cookie });
  return SELF.fetch(`${ORIGIN}${request.path}`, request.init);
}

const projectRow = async (id: string) =>
  (await db.select().from(serviceProjects).where(eq(serviceProjects.id, id)))[0]!;

const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);

describe("/account/projects", () => {
  it("sends an anonymous visitor to log in", async () => {
    const response = await get("/account/projects");
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toMatch(/^\/login\?/);
  });

  it("lists the client's own projects only, privately", async () => {
    const mine = await clientWith();
    const other = await clientWith();
    await createProject(db, { clientId: mine.user.id, title: "My bakery site" });
    await createProject(db, { clientId: other.user.id, title: "Someone else's app" });
    const response = await get("/account/projects", mine.cookie);
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toMatch(/private/);
    const html = await response.text();
    expect(html).toContain("My bakery site");
    expect(html).not.toContain("Someone else&#x27;s app");
    expect(html).not.toContain("Someone else's app");
    expect(html).toContain('href="/account/projects/new"');
  });

  it("requests a project (the URL contract) and lands on its page", async () => {
    const { user, cookie } = await clientWith();
    const response = await submit(
      "/account/projects/new",
      {
        name: "Pottery shop",
        category: "WEB_DESIGN",
        description: "A shop for hand-made pots.",
        deadline: inDays(45),
        budgetNotes: "Small",
      },
      cookie,
    );
    expect(response.status).toBe(302);
    const location = response.headers.get("Location")!;
    expect(location).toMatch(/^\/account\/projects\/[a-z0-9]+$/);
    const project = await projectRow(location.split("/").at(-1)!);
    expect(project).toMatchObject({ clientId: user.id, title: "Pottery shop", acceptedAt: null });
    const page = await get(location, cookie);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Pottery shop");
    expect(html).toContain("Awaiting review");
  });

  it("shows what is wrong with a request inline, keeping what was typed", async () => {
    const { cookie } = await clientWith();
    const response = await submit(
      "/account/projects/new",
      { name: "Half a form", category: "NOT_A_CATEGORY", description: "", deadline: "soon" },
      cookie,
    );
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain("Choose a category.");
    expect(html).toContain("Describe what you need.");
    expect(html).toContain("Enter a date as YYYY-MM-DD.");
    expect(html).toContain('value="Half a form"');
  });

  it("refuses a minor without a guardian's consent with a sentence", async () => {
    const { user, cookie } = await clientWith(undefined, {
      isMinor: true,
      birthDate: "2012-01-01",
      guardianEmail: "parent@example.test",
    });
    const response = await submit(
      "/account/projects/new",
      {
        name: "Game site",
        category: "WEB_DESIGN",
        description: "For my club.",
        deadline: inDays(30),
      },
      cookie,
    );
    expect(response.status).toBe(403);
    expect(await response.text()).toContain("Your parent or guardian needs to agree");
    expect(
      await db.select().from(serviceProjects).where(eq(serviceProjects.clientId, user.id)),
    ).toEqual([]);
  });
});

describe("/account/projects/:projectId", () => {
  it("answers 404 for another client's project, to a GET and to every intent, changing nothing", async () => {
    const owner = await clientWith(50);
    const stranger = await clientWith(50);
    const project = await createProject(db, { clientId: owner.user.id, phase: "DESIGN" });
    const [addOn] = await db
      .insert(serviceAddOns)
      .values({
        projectId: project.id,
        requestedById: owner.user.id,
        type: "CUSTOM",
        description: "Owner's",
        creditCost: 3,
      })
      .returning();
    const path = `/account/projects/${project.id}`;
    expect((await get(path, stranger.cookie)).status).toBe(404);
    expect((await get(`${path}.data`, stranger.cookie)).status).toBe(404);
    const before = { project: await projectRow(project.id), addOn };
    const bodies: Array<Record<string, string>> = [
      { intent: "revision", notes: "Mine now" },
      { intent: "add-on", type: "SUPPORT_CALL", description: "" },
      { intent: "withdraw-add-on", addOnId: addOn!.id },
      { intent: "confirm-add-on", addOnId: addOn!.id, credits: "3" },
    ];
    for (const body of bodies) {
      const response = await submit(path, body, stranger.cookie);
      expect(response.status, body.intent).toBe(404);
    }
    expect(await projectRow(project.id)).toEqual(before.project);
    expect(await db.select().from(serviceAddOns).where(eq(serviceAddOns.id, addOn!.id))).toEqual([
      before.addOn,
    ]);
    const spent = await db
      .select()
      .from(creditTransactions)
      .where(eq(creditTransactions.userId, stranger.user.id));
    expect(spent.map((row) => row.type)).toEqual(["INITIAL_ALLOCATION"]);
  });

  it("shows the timeline, revisions, deadline and history; a revision is counted", async () => {
    const { user, cookie } = await clientWith(40);
    const project = await createProject(db, {
      clientId: user.id,
      phase: "DESIGN",
      title: "Timeline site",
      deadline: new Date(Date.now() + 10.5 * DAY),
    });
    const page = await get(`/account/projects/${project.id}`, cookie);
    const html = await page.text();
    expect(html).toContain('data-testid="phase-timeline"');
    expect(html).toMatch(/11 days left|10 days left/);
    expect(html).toContain("Ask for a revision");

    const asked = await submit(
      `/account/projects/${project.id}`,
      { intent: "revision", notes: "Bigger headline" },
      cookie,
    );
    expect(asked.status).toBe(302);
    expect(await projectRow(project.id)).toMatchObject({ designRevisionsUsed: 1 });
    const after = await (await get(`/account/projects/${project.id}`, cookie)).text();
    expect(after).toContain("Revision asked for in design: Bigger headline");
  });

  it("past the cap offers an EXTRA_REVISION; with too few credits, the balance and a top-up link", async () => {
    const cost = ADD_ONS.EXTRA_REVISION.credits!;
    const rich = await clientWith(cost);
    const full = await createProject(db, {
      clientId: rich.user.id,
      phase: "DESIGN",
      designRevisionsUsed: 2,
    });
    const offered = await (await get(`/account/projects/${full.id}`, rich.cookie)).text();
    expect(offered).toContain("an EXTRA_REVISION add-on buys one more");
    expect(offered).toContain(`Buy an extra revision (${cost} credits)`);
    expect(offered).not.toContain("Ask for a revision");

    const poor = await clientWith(cost - 1);
    const capped = await createProject(db, {
      clientId: poor.user.id,
      phase: "DESIGN",
      designRevisionsUsed: 2,
    });
    const path = `/account/projects/${capped.id}`;
    const page = await (await get(path, poor.cookie)).text();
    expect(page).toContain(`An extra revision costs ${cost} credits; you have ${cost - 1}.`);
    expect(page).toContain('href="/account/membership"');

    // Asking anyway is refused in words (429: a limit), and nothing is written.
    const refused = await submit(
      path,
      { intent: "add-on", type: "EXTRA_REVISION", description: "" },
      poor.cookie,
    );
    expect(refused.status).toBe(429);
    const html = await refused.text();
    expect(html).toContain(`Extra revision costs ${cost} credits; you have ${cost - 1}.`);
    expect(html).toContain('href="/account/membership"');
    expect(
      await db.select().from(serviceAddOns).where(eq(serviceAddOns.projectId, capped.id)),
    ).toEqual([]);
  });

  it("buys an EXTRA_REVISION: credits reserved, the add-on pending, the ledger row named", async () => {
    const cost = ADD_ONS.EXTRA_REVISION.credits!;
    const { user, membership, cookie } = await clientWith(cost + 2);
    const project = await createProject(db, {
      clientId: user.id,
      phase: "BUILD",
      buildRevisionsUsed: 1,
    });
    const response = await submit(
      `/account/projects/${project.id}`,
      { intent: "add-on", type: "EXTRA_REVISION", source: "offer" },
      cookie,
    );
    expect(response.status).toBe(302);
    const [addOn] = await db
      .select()
      .from(serviceAddOns)
      .where(eq(serviceAddOns.projectId, project.id));
    expect(addOn).toMatchObject({ type: "EXTRA_REVISION", status: "PENDING", creditCost: cost });
    const [usage] = await db
      .select()
      .from(creditTransactions)
      .where(eq(creditTransactions.id, addOn!.spendTransactionId!));
    expect(usage).toMatchObject({ membershipId: membership!.id, type: "USAGE", amount: -cost });
    const page = await (await get(`/account/projects/${project.id}`, cookie)).text();
    expect(page).toContain("Your balance: <strong>2 credits</strong>");
    expect(page).toContain("Withdraw");
  });
});

describe("/admin/projects and /admin/add-ons", () => {
  it("lets a VIEWER read the list and the project, without any action forms", async () => {
    const { user: client } = await clientWith();
    const project = await createProject(db, {
      clientId: client.id,
      title: "Viewer-visible site",
      phase: "BUILD",
    });
    const { cookie } = await staffCookie("VIEWER");
    const list = await get(`/admin/projects?client=${encodeURIComponent(client.email)}`, cookie);
    expect(list.status).toBe(200);
    expect(await list.text()).toContain("Viewer-visible site");
    const detail = await (await get(`/admin/projects/${project.id}`, cookie)).text();
    expect(detail).toContain("Viewer-visible site");
    expect(detail).not.toContain('name="intent"');
    expect((await get("/admin/add-ons", cookie)).status).toBe(200);
  });

  it("puts overdue projects first", async () => {
    const { user: client } = await clientWith(undefined, { name: "Overdue Ordering Client" });
    const start = new Date(Date.now() - 40 * DAY);
    await createProject(db, {
      clientId: client.id,
      title: "Zeta on time",
      startDate: start,
      deadline: new Date(Date.now() + 3 * DAY),
    });
    await createProject(db, {
      clientId: client.id,
      title: "Alpha overdue",
      startDate: start,
      deadline: new Date(Date.now() - 3 * DAY),
    });
    const { cookie } = await staffCookie("ADMIN");
    const html = await (
      await get(`/admin/projects?client=${encodeURIComponent("Overdue Ordering")}`, cookie)
    ).text();
    expect(html.indexOf("Alpha overdue")).toBeLessThan(html.indexOf("Zeta on time"));
    expect(html).toContain("3 days overdue");
  });

  it("refuses a stale phase change from a second tab with 409, changing nothing", async () => {
    const { user: client } = await clientWith();
    const project = await createProject(db, { clientId: client.id, phase: "DESIGN" });
    const { cookie } = await staffCookie("ADMIN");
    const path = `/admin/projects/${project.id}`;
    const first = await submit(
      path,
      { intent: "move", phase: "BUILD", expectedPhase: "DESIGN" },
      cookie,
    );
    expect(first.status).toBe(302);
    const second = await submit(
      path,
      { intent: "pause", reason: "From the old tab", expectedPhase: "DESIGN" },
      cookie,
    );
    expect(second.status).toBe(409);
    expect(await second.text()).toContain("nothing was changed");
    expect(await projectRow(project.id)).toMatchObject({ phase: "BUILD", status: "ACTIVE" });
  });

  it("accepts a request with terms (features one per line)", async () => {
    const { user: client } = await clientWith();
    const request = await createProject(db, { clientId: client.id, acceptedAt: null });
    const { cookie } = await staffCookie("ADMIN");
    const response = await submit(
      `/admin/projects/${request.id}`,
      {
        intent: "accept",
        scope: "Four pages",
        features: "Menu\r\nBookings\r\n\r\n",
        startDate: inDays(0),
        deadline: inDays(30),
        designRevisionsMax: "2",
        buildRevisionsMax: "1",
      },
      cookie,
    );
    expect(response.status).toBe(302);
    expect(await projectRow(request.id)).toMatchObject({
      approvedFeatures: ["Menu", "Bookings"],
      scope: "Four pages",
    });
  });

  it("approves, starts and completes an add-on from the queue; the client sees the effect", async () => {
    const { user, cookie: clientCookie } = await clientWith(40);
    const project = await createProject(db, {
      clientId: user.id,
      phase: "BUILD",
      buildRevisionsUsed: 1,
    });
    await submit(
      `/account/projects/${project.id}`,
      { intent: "add-on", type: "EXTRA_REVISION" },
      clientCookie,
    );
    const [addOn] = await db
      .select()
      .from(serviceAddOns)
      .where(eq(serviceAddOns.projectId, project.id));
    const { cookie } = await staffCookie("ADMIN");
    const queue = await (await get("/admin/add-ons?status=PENDING", cookie)).text();
    expect(queue).toContain(`value="${addOn!.id}"`);
    for (const intent of ["approve", "start", "complete"]) {
      const response = await submit("/admin/add-ons", { intent, addOnId: addOn!.id }, cookie);
      expect(response.status, intent).toBe(302);
    }
    expect(await projectRow(project.id)).toMatchObject({ buildRevisionsMax: 2 });
    const page = await (await get(`/account/projects/${project.id}`, clientCookie)).text();
    expect(page).toContain("Extra revision completed");
    expect(page).toContain("Ask for a revision");
  });
});
