import { env } from "cloudflare:test";
import { and, asc, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import {
  auditLogs,
  creditTransactions,
  emailOutbox,
  memberships,
  projectPhaseHistory,
  serviceAddOns,
  serviceProjects,
  type ProjectPhase,
  type User,
} from "#db/schema";
import { ADD_ONS } from "~/domain/projects/add-ons";
import { planPhaseChange, type PhaseChange } from "~/domain/projects/phases";
import { timeInPhases } from "~/domain/projects/time-in-phase";
import { checkLedger } from "~/services/ledger.server";
import {
  confirmAddOn,
  moveAddOn,
  priceAddOn,
  requestAddOn,
  withdrawAddOn,
  type StaffAddOnMove,
} from "~/services/projects/add-ons.server";
import {
  acceptProject,
  changePhase,
  declineProject,
  requestProject,
  requestRevision,
  updateProjectTerms,
} from "~/services/projects/projects.server";
import { getClientProject } from "~/services/projects/queries.server";
import { createMembership, createProject, createUser } from "../factories";

/** The studio's services against D1 (issue 11): phases, revisions, add-ons paid with credits. */

const db = createDb(env.DB);
const deps = { db };
const DAY = 86_400_000;

const actorOf = (user: Pick<User, "id" | "role">) => ({
  actor: { id: user.id, role: user.role },
  request: {},
  now: new Date(),
});

let adminPromise: Promise<User> | undefined;
const admin = () => (adminPromise ??= createUser(db, { role: "ADMIN" }));
const staff = async (now = new Date()) => ({ ...actorOf(await admin()), now });

async function client(credits?: number) {
  const user = await createUser(db);
  const membership =
    credits === undefined ? null : await createMembership(db, { userId: user.id, credits });
  return { user, membership, as: (now = new Date()) => ({ ...actorOf(user), now }) };
}

const projectRow = async (id: string) =>
  (await db.select().from(serviceProjects).where(eq(serviceProjects.id, id)))[0]!;

const stintsOf = (projectId: string) =>
  db
    .select()
    .from(projectPhaseHistory)
    .where(eq(projectPhaseHistory.projectId, projectId))
    .orderBy(asc(projectPhaseHistory.startedAt), asc(sql`rowid`));

const ledgerOf = (membershipId: string) =>
  db
    .select()
    .from(creditTransactions)
    .where(eq(creditTransactions.membershipId, membershipId))
    .orderBy(asc(sql`rowid`));

const balanceOf = async (membershipId: string) => {
  const [row] = await db.select().from(memberships).where(eq(memberships.id, membershipId));
  return row!.totalCredits - row!.usedCredits;
};

const auditsOf = (entityId: string) =>
  db
    .select()
    .from(auditLogs)
    .where(eq(auditLogs.entityId, entityId))
    .orderBy(asc(auditLogs.createdAt), asc(sql`rowid`));

const staffMove = async (addOnId: string, move: StaffAddOnMove, notes: string | null) =>
  moveAddOn(deps, { ...(await staff()), addOnId, move, notes });

async function expectLedgerOk(membershipId: string) {
  const check = await checkLedger(db, membershipId);
  expect(check?.problems).toEqual([]);
  expect(check?.ok).toBe(true);
}

// ---- Requests --------------------------------------------------------------------------------

describe("requesting a project", () => {
  const form = {
    name: "Bakery website",
    category: "WEB_DEVELOPMENT" as const,
    description: "Menu, opening hours, orders for collection.",
    deadline: new Date(Date.now() + 40 * DAY),
    budgetNotes: "Around 3,000 EUR",
  };

  it("stores a request waiting in DESIGN, audits PROJECT_CREATED and emails the client", async () => {
    const { user, as } = await client();
    const result = await requestProject(deps, { ...as(), user, form });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const project = await projectRow(result.projectId);
    expect(project).toMatchObject({
      clientId: user.id,
      title: "Bakery website",
      phase: "DESIGN",
      status: "ACTIVE",
      acceptedAt: null,
      budgetNotes: "Around 3,000 EUR",
    });
    expect(await stintsOf(project.id)).toEqual([]);
    expect((await auditsOf(project.id)).map((row) => row.action)).toEqual(["PROJECT_CREATED"]);
    const emails = await db.select().from(emailOutbox).where(eq(emailOutbox.toEmail, user.email));
    expect(emails.map((email) => email.template)).toEqual(["project-requested"]);
  });

  it.each([
    ["a suspended account", { accountStatus: "SUSPENDED" as const }, "account-restricted"],
    ["a locked account", { accountStatus: "LOCKED" as const }, "account-restricted"],
    ["a banned account", { accountStatus: "BANNED" as const }, "account-restricted"],
    [
      "a minor without a guardian's consent",
      { isMinor: true, guardianConsentAt: null },
      "guardian-consent",
    ],
  ])("refuses %s with a sentence, writing nothing", async (_name, overrides, reason) => {
    const { user, as } = await client();
    const result = await requestProject(deps, {
      ...as(),
      user: { ...user, ...overrides },
      form,
    });
    expect(result).toMatchObject({ ok: false, kind: "forbidden", reason });
    expect(!result.ok && result.message).toMatch(/^[A-Z].*\.$/);
    const rows = await db
      .select()
      .from(serviceProjects)
      .where(eq(serviceProjects.clientId, user.id));
    expect(rows).toEqual([]);
  });

  it("lets a minor whose guardian agreed ask", async () => {
    const { user, as } = await client();
    const result = await requestProject(deps, {
      ...as(),
      user: { ...user, isMinor: true, guardianConsentAt: new Date() },
      form,
    });
    expect(result.ok).toBe(true);
  });

  it("accepts a request with terms and opens the DESIGN stint; a second accept is refused", async () => {
    const { user } = await client();
    const request = await createProject(db, { clientId: user.id, acceptedAt: null });
    const terms = {
      scope: "Five pages",
      features: ["Menu", "Orders"],
      deadline: new Date(Date.now() + 30 * DAY),
      designRevisionsMax: 3,
      buildRevisionsMax: 1,
    };
    const startDate = new Date();
    const accepted = await acceptProject(deps, {
      ...(await staff()),
      projectId: request.id,
      terms,
      startDate,
    });
    expect(accepted.ok).toBe(true);
    expect(await projectRow(request.id)).toMatchObject({
      scope: "Five pages",
      approvedFeatures: ["Menu", "Orders"],
      designRevisionsMax: 3,
      phase: "DESIGN",
      status: "ACTIVE",
    });
    const stints = await stintsOf(request.id);
    expect(stints).toMatchObject([
      { phase: "DESIGN", completedAt: null, notes: "Request accepted" },
    ]);
    const again = await acceptProject(deps, {
      ...(await staff()),
      projectId: request.id,
      terms,
      startDate,
    });
    expect(again).toMatchObject({ ok: false, reason: "not-a-request" });
    expect(await stintsOf(request.id)).toHaveLength(1);
  });

  it("declines a request with a reason: CANCELLED, no stint, the client told why", async () => {
    const { user } = await client();
    const request = await createProject(db, { clientId: user.id, acceptedAt: null });
    const declined = await declineProject(deps, {
      ...(await staff()),
      projectId: request.id,
      reason: "We are fully booked until spring.",
    });
    expect(declined.ok).toBe(true);
    expect(await projectRow(request.id)).toMatchObject({
      status: "CANCELLED",
      phase: "DESIGN",
      cancelReason: "We are fully booked until spring.",
    });
    const [email] = await db
      .select()
      .from(emailOutbox)
      .where(
        and(eq(emailOutbox.toEmail, user.email), eq(emailOutbox.template, "project-declined")),
      );
    expect(email?.bodyText).toContain("We are fully booked until spring.");
  });

  it("refuses terms with a cap below the revisions already used", async () => {
    const { user } = await client();
    const project = await createProject(db, { clientId: user.id, designRevisionsUsed: 2 });
    const result = await updateProjectTerms(deps, {
      ...(await staff()),
      projectId: project.id,
      terms: {
        scope: "",
        features: [],
        deadline: new Date(Date.now() + 10 * DAY),
        designRevisionsMax: 1,
        buildRevisionsMax: 1,
      },
    });
    expect(result).toMatchObject({ ok: false, field: "designRevisionsMax" });
  });
});

// ---- The phase machine through the service --------------------------------------------------------

/** A project in each state the machine knows, made by the factory. */
const STATES: Record<string, () => Promise<string>> = {
  DESIGN: async () => (await createProject(db, { clientId: (await client()).user.id })).id,
  BUILD: async () =>
    (await createProject(db, { clientId: (await client()).user.id, phase: "BUILD" })).id,
  POST_LAUNCH: async () =>
    (await createProject(db, { clientId: (await client()).user.id, phase: "POST_LAUNCH" })).id,
  "PAUSED from BUILD": async () =>
    (
      await createProject(db, {
        clientId: (await client()).user.id,
        phase: "PAUSED",
        pausedFromPhase: "BUILD",
        pauseReason: "Waiting for copy",
        history: [{ phase: "BUILD", days: 2 }],
      })
    ).id,
  COMPLETED: async () =>
    (await createProject(db, { clientId: (await client()).user.id, phase: "COMPLETED" })).id,
  request: async () =>
    (await createProject(db, { clientId: (await client()).user.id, acceptedAt: null })).id,
};

const STAFF_CHANGES: Record<string, PhaseChange> = {
  "advance to DESIGN": { kind: "advance", to: "DESIGN" },
  "advance to BUILD": { kind: "advance", to: "BUILD" },
  "advance to POST_LAUNCH": { kind: "advance", to: "POST_LAUNCH" },
  "advance to COMPLETED": { kind: "advance", to: "COMPLETED" },
  "advance to PAUSED": { kind: "advance", to: "PAUSED" },
  pause: { kind: "pause", reason: "Client on holiday" },
  resume: { kind: "resume" },
  cancel: { kind: "cancel", reason: "Budget cut" },
};

describe("every phase change, legal or not, through the service (table from the domain)", () => {
  const cases = Object.keys(STATES).flatMap((state) =>
    Object.keys(STAFF_CHANGES).map((change) => [state, change] as const),
  );

  it.each(cases)("%s, %s", async (stateName, changeName) => {
    const projectId = await STATES[stateName]!();
    const before = await projectRow(projectId);
    const stintsBefore = await stintsOf(projectId);
    const change = STAFF_CHANGES[changeName]!;
    const expected = planPhaseChange(
      {
        phase: before.phase,
        status: before.status,
        pausedFromPhase: before.pausedFromPhase,
        accepted: before.acceptedAt !== null,
      },
      change,
    );
    const result = await changePhase(deps, {
      ...(await staff()),
      projectId,
      expectedPhase: before.phase,
      change,
    });
    const after = await projectRow(projectId);
    const stintsAfter = await stintsOf(projectId);
    const audits = (await auditsOf(projectId)).filter(
      (row) => row.action === "PROJECT_PHASE_CHANGED",
    );

    if (!expected.ok) {
      expect(result).toMatchObject({
        ok: false,
        reason: expected.reason,
        message: expected.message,
      });
      expect(after).toEqual(before);
      expect(stintsAfter).toEqual(stintsBefore);
      expect(audits).toEqual([]);
      return;
    }
    expect(result.ok).toBe(true);
    expect(after).toMatchObject({ phase: expected.to, status: expected.status });
    // The open stint is closed and the next opened, in order (a cancellation opens none).
    const closed = stintsAfter.find((stint) => stint.id === stintsBefore.at(-1)?.id);
    expect(closed?.completedAt).not.toBeNull();
    expect(stintsAfter.filter((stint) => stint.completedAt === null)).toHaveLength(
      expected.opensStint ? 1 : 0,
    );
    if (expected.opensStint) {
      expect(stintsAfter.at(-1)).toMatchObject({ phase: expected.opensStint, completedAt: null });
      expect(stintsAfter.at(-1)!.startedAt.getTime()).toBe(closed!.completedAt!.getTime());
    }
    expect(audits).toHaveLength(1);
    expect(audits[0]!.metadata).toMatchObject({ from: before.phase, to: expected.to });
  });
});

describe("pausing, resuming and the time spent in each phase", () => {
  it("pauses from BUILD and resumes to BUILD; stints close and open in order; times sum", async () => {
    const { user } = await client();
    const t0 = Date.now() - 20 * DAY;
    const project = await createProject(db, {
      clientId: user.id,
      startDate: new Date(t0),
      phase: "DESIGN",
    });
    const at = (days: number) => new Date(t0 + days * DAY);
    const step = async (days: number, expectedPhase: ProjectPhase, change: PhaseChange) => {
      const result = await changePhase(deps, {
        ...(await staff(at(days))),
        projectId: project.id,
        expectedPhase,
        change,
      });
      expect(result.ok, result.ok ? "" : result.message).toBe(true);
    };
    await step(3, "DESIGN", { kind: "advance", to: "BUILD" });
    await step(5, "BUILD", { kind: "pause", reason: "Waiting for the photos" });
    expect(await projectRow(project.id)).toMatchObject({
      phase: "PAUSED",
      status: "PAUSED",
      pausedFromPhase: "BUILD",
      pauseReason: "Waiting for the photos",
    });
    await step(7, "PAUSED", { kind: "resume" });
    expect(await projectRow(project.id)).toMatchObject({
      phase: "BUILD",
      status: "ACTIVE",
      pausedFromPhase: null,
      pauseReason: null,
    });

    const stints = await stintsOf(project.id);
    expect(
      stints.map((stint) => [
        stint.phase,
        (stint.startedAt.getTime() - t0) / DAY,
        stint.completedAt ? (stint.completedAt.getTime() - t0) / DAY : null,
      ]),
    ).toEqual([
      ["DESIGN", 0, 3],
      ["BUILD", 3, 5],
      ["PAUSED", 5, 7],
      ["BUILD", 7, null],
    ]);
    expect(stints[2]!.notes).toBe("Waiting for the photos");

    const times = timeInPhases(stints, at(10));
    expect(times.byPhase).toMatchObject({ DESIGN: 3 * DAY, BUILD: 5 * DAY, PAUSED: 2 * DAY });
    expect(times.workingMs).toBe(8 * DAY);
  });

  it("applies a stale phase change (a second staff tab) not at all, and says so", async () => {
    const { user } = await client();
    const project = await createProject(db, { clientId: user.id, phase: "BUILD" });
    const tab = async () => ({
      ...(await staff()),
      projectId: project.id,
      expectedPhase: "BUILD" as const,
    });
    const first = await changePhase(deps, {
      ...(await tab()),
      change: { kind: "advance", to: "POST_LAUNCH" },
    });
    expect(first.ok).toBe(true);
    const stints = await stintsOf(project.id);
    const second = await changePhase(deps, {
      ...(await tab()),
      change: { kind: "pause", reason: "From the other tab" },
    });
    expect(second).toMatchObject({ ok: false, kind: "conflict", reason: "stale" });
    expect(!second.ok && second.message).toMatch(/POST LAUNCH now.*nothing was changed/);
    expect(await projectRow(project.id)).toMatchObject({ phase: "POST_LAUNCH" });
    expect(await stintsOf(project.id)).toEqual(stints);
  });

  it("lets only one of two simultaneous staff tabs through", async () => {
    const { user } = await client();
    const project = await createProject(db, { clientId: user.id, phase: "DESIGN" });
    const results = await Promise.all(
      [{ kind: "advance", to: "BUILD" } as const, { kind: "pause", reason: "Hold" } as const].map(
        async (change) =>
          changePhase(deps, {
            ...(await staff()),
            projectId: project.id,
            expectedPhase: "DESIGN",
            change,
          }),
      ),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    const stints = await stintsOf(project.id);
    expect(stints).toHaveLength(2);
    expect(stints.filter((stint) => stint.completedAt === null)).toHaveLength(1);
    const audits = (await auditsOf(project.id)).filter(
      (row) => row.action === "PROJECT_PHASE_CHANGED",
    );
    expect(audits).toHaveLength(1);
  });
});

// ---- Revisions -----------------------------------------------------------------------------------

describe("revisions", () => {
  it("5 parallel requests with 2 left: exactly 2 accepted, the rest refused at the cap", async () => {
    const { user, as } = await client();
    const project = await createProject(db, { clientId: user.id, phase: "DESIGN" });
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, index) =>
        requestRevision(deps, {
          ...as(),
          projectId: project.id,
          clientId: user.id,
          notes: `Change ${index + 1}`,
        }),
      ),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(2);
    for (const refused of results.filter((result) => !result.ok)) {
      expect(refused).toMatchObject({ reason: "revision-cap" });
    }
    expect(await projectRow(project.id)).toMatchObject({ designRevisionsUsed: 2 });
    const audits = (await auditsOf(project.id)).filter(
      (row) => row.action === "PROJECT_REVISION_REQUESTED",
    );
    expect(audits).toHaveLength(2);
  });

  it("counts BUILD revisions against the build cap, and refuses outside DESIGN and BUILD", async () => {
    const { user, as } = await client();
    const build = await createProject(db, { clientId: user.id, phase: "BUILD" });
    const ask = (projectId: string) =>
      requestRevision(deps, { ...as(), projectId, clientId: user.id, notes: "Bigger logo" });
    expect(await ask(build.id)).toMatchObject({ ok: true, phase: "BUILD", number: 1 });
    expect(await ask(build.id)).toMatchObject({ ok: false, reason: "revision-cap" });
    const live = await createProject(db, { clientId: user.id, phase: "POST_LAUNCH" });
    expect(await ask(live.id)).toMatchObject({ ok: false, reason: "not-revisable" });
  });

  it("does not let a client ask for a revision of someone else's project", async () => {
    const owner = await client();
    const stranger = await client();
    const project = await createProject(db, { clientId: owner.user.id });
    const result = await requestRevision(deps, {
      ...stranger.as(),
      projectId: project.id,
      clientId: stranger.user.id,
      notes: "Mine now",
    });
    expect(result).toMatchObject({ ok: false, kind: "not-found" });
    expect(await projectRow(project.id)).toMatchObject({ designRevisionsUsed: 0 });
    expect(
      await getClientProject(db, { userId: stranger.user.id, projectId: project.id }),
    ).toBeNull();
  });
});

// ---- Add-ons paid with credits ---------------------------------------------------------------------

describe("add-ons paid with credits", () => {
  const extra = ADD_ONS.EXTRA_REVISION.credits!;

  it("refuses an add-on of 3 credits on a balance of 2, writing nothing", async () => {
    const { user, membership, as } = await client(2);
    const project = await createProject(db, { clientId: user.id, phase: "BUILD" });
    const custom = await requestAddOn(deps, {
      ...as(),
      projectId: project.id,
      clientId: user.id,
      type: "CUSTOM",
      description: "A print version of the menu",
    });
    expect(custom).toMatchObject({ ok: true, credits: null });
    if (!custom.ok) return;
    const priced = await priceAddOn(deps, {
      ...(await staff()),
      addOnId: custom.addOnId,
      credits: 3,
      notes: null,
    });
    expect(priced.ok).toBe(true);
    const ledgerBefore = await ledgerOf(membership!.id);
    const addOnBefore = await db
      .select()
      .from(serviceAddOns)
      .where(eq(serviceAddOns.id, custom.addOnId));

    const confirmed = await confirmAddOn(deps, {
      ...as(),
      addOnId: custom.addOnId,
      clientId: user.id,
      credits: 3,
    });
    expect(confirmed).toMatchObject({
      ok: false,
      kind: "limit",
      reason: "low-balance",
      message: "This add-on costs 3 credits; you have 2. Top up your credits, then ask again.",
    });
    expect(await ledgerOf(membership!.id)).toEqual(ledgerBefore);
    expect(await balanceOf(membership!.id)).toBe(2);
    expect(
      await db.select().from(serviceAddOns).where(eq(serviceAddOns.id, custom.addOnId)),
    ).toEqual(addOnBefore);
    await expectLedgerOk(membership!.id);
  });

  it("confirms a CUSTOM add-on only at the price the client saw", async () => {
    const { user, membership, as } = await client(30);
    const project = await createProject(db, { clientId: user.id, phase: "POST_LAUNCH" });
    const custom = await requestAddOn(deps, {
      ...as(),
      projectId: project.id,
      clientId: user.id,
      type: "CUSTOM",
      description: "A newsletter template",
    });
    if (!custom.ok) throw new Error(custom.message);
    const price = (credits: number) =>
      staff().then((who) =>
        priceAddOn(deps, { ...who, addOnId: custom.addOnId, credits, notes: null }),
      );
    const confirm = (credits: number) =>
      confirmAddOn(deps, { ...as(), addOnId: custom.addOnId, clientId: user.id, credits });
    expect((await price(5)).ok).toBe(true);
    // Staff re-price while the client's page still shows 5.
    expect((await price(9)).ok).toBe(true);
    expect(await confirm(5)).toMatchObject({ ok: false, reason: "price-changed" });
    expect(await balanceOf(membership!.id)).toBe(30);
    expect((await confirm(9)).ok).toBe(true);
    expect(await balanceOf(membership!.id)).toBe(21);
    // Once confirmed, the price is fixed.
    expect(await price(2)).toMatchObject({ ok: false, reason: "already-confirmed" });
    expect((await staffMove(custom.addOnId, "approve", null)).ok).toBe(true);
    await expectLedgerOk(membership!.id);
  });

  it("refuses a priced add-on the balance can't cover: no add-on, no ledger row, no audit", async () => {
    const { user, membership, as } = await client(extra - 1);
    const project = await createProject(db, { clientId: user.id, phase: "DESIGN" });
    const ledgerBefore = await ledgerOf(membership!.id);
    const result = await requestAddOn(deps, {
      ...as(),
      projectId: project.id,
      clientId: user.id,
      type: "EXTRA_REVISION",
      description: null,
    });
    expect(result).toMatchObject({ ok: false, reason: "low-balance" });
    expect(await ledgerOf(membership!.id)).toEqual(ledgerBefore);
    expect(
      await db.select().from(serviceAddOns).where(eq(serviceAddOns.projectId, project.id)),
    ).toEqual([]);
    const audits = await db.select().from(auditLogs).where(eq(auditLogs.actorId, user.id));
    expect(audits).toEqual([]);
  });

  it("request → reject: a REFUND of exactly the reserved credits, the balance back where it was", async () => {
    const { user, membership, as } = await client(20);
    const project = await createProject(db, { clientId: user.id, phase: "BUILD" });
    const requested = await requestAddOn(deps, {
      ...as(),
      projectId: project.id,
      clientId: user.id,
      type: "SUPPORT_CALL",
      description: "Walk us through the CMS",
    });
    expect(requested.ok).toBe(true);
    if (!requested.ok) return;
    const cost = ADD_ONS.SUPPORT_CALL.credits!;
    expect(await balanceOf(membership!.id)).toBe(20 - cost);
    const [usage] = (await ledgerOf(membership!.id)).filter((row) => row.type === "USAGE");
    expect(usage).toMatchObject({ amount: -cost, reference: `add-on:${requested.addOnId}` });
    expect(usage!.description).toContain("Support call");
    expect((await auditsOf(requested.addOnId)).map((row) => row.action)).toEqual([
      "ADD_ON_REQUESTED",
    ]);
    expect(
      (await db.select().from(auditLogs).where(eq(auditLogs.entityId, membership!.id))).map(
        (row) => row.action,
      ),
    ).toContain("CREDIT_USED");
    await expectLedgerOk(membership!.id);

    const rejected = await staffMove(
      requested.addOnId,
      "reject",
      "We can't fit a call in this week.",
    );
    expect(rejected.ok).toBe(true);
    expect(await balanceOf(membership!.id)).toBe(20);
    const refunds = (await ledgerOf(membership!.id)).filter((row) => row.type === "REFUND");
    expect(refunds).toMatchObject([{ amount: cost, reversesId: usage!.id }]);
    const [addOn] = await db
      .select()
      .from(serviceAddOns)
      .where(eq(serviceAddOns.id, requested.addOnId));
    expect(addOn).toMatchObject({ status: "REJECTED", refundTransactionId: refunds[0]!.id });
    await expectLedgerOk(membership!.id);

    // Rejecting twice refunds nothing more.
    const again = await staffMove(requested.addOnId, "reject", "Again");
    expect(again.ok).toBe(false);
    expect(await balanceOf(membership!.id)).toBe(20);
  });

  it("request → approve → start → complete: one more revision allowed", async () => {
    const { user, membership, as } = await client(20);
    const project = await createProject(db, {
      clientId: user.id,
      phase: "DESIGN",
      designRevisionsUsed: 2,
    });
    const requested = await requestAddOn(deps, {
      ...as(),
      projectId: project.id,
      clientId: user.id,
      type: "EXTRA_REVISION",
      description: null,
    });
    if (!requested.ok) throw new Error(requested.message);
    await expectLedgerOk(membership!.id);
    for (const move of ["approve", "start", "complete"] as const) {
      const result = await staffMove(requested.addOnId, move, null);
      expect(result.ok, result.ok ? "" : result.message).toBe(true);
      await expectLedgerOk(membership!.id);
    }
    expect(await projectRow(project.id)).toMatchObject({
      designRevisionsMax: 3,
      designRevisionsUsed: 2,
    });
    expect(await balanceOf(membership!.id)).toBe(20 - extra);
    expect((await auditsOf(requested.addOnId)).map((row) => row.action)).toEqual([
      "ADD_ON_REQUESTED",
      "ADD_ON_APPROVED",
      "ADD_ON_STARTED",
      "ADD_ON_COMPLETED",
    ]);
    const revision = await requestRevision(deps, {
      ...as(),
      projectId: project.id,
      clientId: user.id,
      notes: "The one I paid for",
    });
    expect(revision).toMatchObject({ ok: true, number: 3 });
  });

  it("completes RUSH_DELIVERY by moving the deadline and REOPEN_PROJECT by reopening", async () => {
    const { user, as } = await client(100);
    const deadline = new Date(Date.now() + 30 * DAY);
    const project = await createProject(db, { clientId: user.id, phase: "BUILD", deadline });
    const completeAll = async (addOnId: string) => {
      for (const move of ["approve", "start", "complete"] as const) {
        const result = await staffMove(addOnId, move, null);
        expect(result.ok, result.ok ? "" : result.message).toBe(true);
      }
    };
    const rush = await requestAddOn(deps, {
      ...as(),
      projectId: project.id,
      clientId: user.id,
      type: "RUSH_DELIVERY",
      description: null,
    });
    if (!rush.ok) throw new Error(rush.message);
    await completeAll(rush.addOnId);
    expect((await projectRow(project.id)).deadline!.getTime()).toBe(deadline.getTime() - 7 * DAY);

    const done = await createProject(db, { clientId: user.id, phase: "COMPLETED" });
    const reopen = await requestAddOn(deps, {
      ...as(),
      projectId: done.id,
      clientId: user.id,
      type: "REOPEN_PROJECT",
      description: "A new section",
    });
    if (!reopen.ok) throw new Error(reopen.message);
    await completeAll(reopen.addOnId);
    expect(await projectRow(done.id)).toMatchObject({
      phase: "POST_LAUNCH",
      status: "ACTIVE",
      completedAt: null,
    });
    const stints = await stintsOf(done.id);
    expect(stints.map((stint) => [stint.phase, stint.completedAt === null])).toEqual([
      ["COMPLETED", false],
      ["POST_LAUNCH", true],
    ]);
  });

  it("withdraws a PENDING add-on: REJECTED with withdrawn_at, credits refunded", async () => {
    const { user, membership, as } = await client(20);
    const project = await createProject(db, { clientId: user.id, phase: "BUILD" });
    const requested = await requestAddOn(deps, {
      ...as(),
      projectId: project.id,
      clientId: user.id,
      type: "CONTENT_EDIT",
      description: "New prices",
    });
    if (!requested.ok) throw new Error(requested.message);
    const stranger = await client(5);
    expect(
      await withdrawAddOn(deps, {
        ...stranger.as(),
        addOnId: requested.addOnId,
        clientId: stranger.user.id,
      }),
    ).toMatchObject({ ok: false, kind: "not-found" });
    const withdrawn = await withdrawAddOn(deps, {
      ...as(),
      addOnId: requested.addOnId,
      clientId: user.id,
    });
    expect(withdrawn.ok).toBe(true);
    const [addOn] = await db
      .select()
      .from(serviceAddOns)
      .where(eq(serviceAddOns.id, requested.addOnId));
    expect(addOn).toMatchObject({ status: "REJECTED" });
    expect(addOn!.withdrawnAt).not.toBeNull();
    expect(await balanceOf(membership!.id)).toBe(20);
    await expectLedgerOk(membership!.id);
  });

  it("10 parallel requests on a balance for 4: exactly 4 reserved, the ledger consistent", async () => {
    const { user, membership, as } = await client(4 * extra);
    const project = await createProject(db, { clientId: user.id, phase: "DESIGN" });
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        requestAddOn(deps, {
          ...as(),
          projectId: project.id,
          clientId: user.id,
          type: "EXTRA_REVISION",
          description: null,
        }),
      ),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(4);
    for (const refused of results.filter((result) => !result.ok)) {
      expect(refused).toMatchObject({ reason: "low-balance" });
    }
    expect(await balanceOf(membership!.id)).toBe(0);
    expect(
      await db.select().from(serviceAddOns).where(eq(serviceAddOns.projectId, project.id)),
    ).toHaveLength(4);
    expect((await ledgerOf(membership!.id)).filter((row) => row.type === "USAGE")).toHaveLength(4);
    await expectLedgerOk(membership!.id);
  });

  it("offers no add-on without a membership, and none on someone else's project", async () => {
    const { user, as } = await client();
    const project = await createProject(db, { clientId: user.id, phase: "BUILD" });
    expect(
      await requestAddOn(deps, {
        ...as(),
        projectId: project.id,
        clientId: user.id,
        type: "SUPPORT_CALL",
        description: null,
      }),
    ).toMatchObject({ ok: false, reason: "no-membership" });
    const stranger = await client(50);
    expect(
      await requestAddOn(deps, {
        ...stranger.as(),
        projectId: project.id,
        clientId: stranger.user.id,
        type: "SUPPORT_CALL",
        description: null,
      }),
    ).toMatchObject({ ok: false, kind: "not-found" });
    await expectLedgerOk(stranger.membership!.id);
  });
});
