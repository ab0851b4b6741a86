import { env } from "cloudflare:test";
import { SELF } from "../../helpers/worker";
import { createId } from "@paralleldrive/cuid2";
import { eq, inArray, like, or } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import buildVersion from "../../../build/version.txt?raw";
import { createDb } from "#db/client";
import {
  auditLogs,
  creditTransactions,
  deviceSessions,
  digitalProductPurchases,
  downloadResetRequests,
  digitalProducts,
  emailOutbox,
  featureFlags,
  licenses,
  memberships,
  projectPhaseHistory,
  serviceAddOns,
  serviceProjects,
  sessions,
  systemBackups,
  users,
  type UserRole,
} from "#db/schema";
import { can, isStaffRole, type Capability } from "~/domain/auth/permissions";
import {
  actionCapability,
  actionIntents,
  ADMIN_ROUTE_POLICY,
  routePolicy,
} from "~/domain/auth/route-policy";
import { parseEnv } from "~/lib/env.server";
import { settleTestCheckout, startCheckout } from "~/services/checkout.server";
import { requestAddOn } from "~/services/projects/add-ons.server";
import { createMembership, createProduct, createProject, createUser } from "../../factories";
import { ORIGIN, postForm, sessionCookieFor } from "../../helpers/session";

/**
 * The permission matrix over the real route manifest (issue 3): every route the build serves
 * under /admin, and every action intent, is requested by every kind of visitor through the
 * built Worker, and the answer must match ADMIN_ROUTE_POLICY and the policy table. A route
 * missing from the policy fails the suite.
 */

const db = createDb(env.DB);
const appEnv = parseEnv(env);

// ---- The route manifest of the build under test ----------------------------------------------

interface ManifestRoute {
  id: string;
  parentId?: string;
  path?: string;
  index?: boolean;
  hasLoader: boolean;
  hasAction: boolean;
}

/**
 * The browser manifest the compiler wrote next to the Worker: `build/version.txt` names the
 * `public/build/manifest-<VERSION>.js` of the same build, which lists every route with its
 * parent, path and whether it has a loader and an action.
 */
async function loadRouteManifest(): Promise<Record<string, ManifestRoute>> {
  const version = buildVersion.trim().toUpperCase();
  const source = (
    (await import(/* @vite-ignore */ `../../../public/build/manifest-${version}.js?raw`)) as {
      default: string;
    }
  ).default;
  const json = source
    .trim()
    .replace(/^window\.__remixManifest\s*=\s*/, "")
    .replace(/;$/, "");
  return (JSON.parse(json) as { routes: Record<string, ManifestRoute> }).routes;
}

const manifest = await loadRouteManifest();

function ancestry(route: ManifestRoute): ManifestRoute[] {
  const chain: ManifestRoute[] = [];
  for (let current: ManifestRoute | undefined = route; current;) {
    chain.unshift(current);
    current = current.parentId ? manifest[current.parentId] : undefined;
  }
  return chain;
}

function fullPath(route: ManifestRoute): string {
  const segments = ancestry(route)
    .map((entry) => entry.path ?? "")
    .filter(Boolean);
  return `/${segments.join("/")}`.replace(/\/+/g, "/");
}

const isAdminPath = (path: string) => path === "/admin" || path.startsWith("/admin/");
const ADMIN_ROUTES = Object.values(manifest)
  .filter((route) => isAdminPath(fullPath(route)))
  .sort((a, b) => a.id.localeCompare(b.id));

/** The admin routes a request to `route` runs: the route and its admin ancestors. */
const adminChain = (route: ManifestRoute) =>
  ancestry(route).filter((entry) => isAdminPath(fullPath(entry)));

// ---- Visitors ------------------------------------------------------------------------------------

interface Principal {
  name: string;
  /** Null for an anonymous visitor. */
  role: UserRole | null;
  /** What the account's state does to a request before its role is looked at. */
  gate: "none" | "anonymous" | "needs-2fa-setup" | "needs-2fa-step";
  status?: "ACTIVE" | "LOCKED" | "BANNED";
  twoFactor?: boolean;
  verified?: boolean;
}

const PRINCIPALS: Principal[] = [
  { name: "anonymous", role: null, gate: "anonymous" },
  { name: "USER", role: "USER", gate: "none" },
  { name: "VIEWER", role: "VIEWER", gate: "none" },
  { name: "EDITOR", role: "EDITOR", gate: "none" },
  { name: "MODERATOR", role: "MODERATOR", gate: "none" },
  { name: "ADMIN", role: "ADMIN", gate: "none" },
  { name: "OWNER", role: "OWNER", gate: "none" },
  // A LOCKED or BANNED account has no sessions in real life; these keep a stale cookie.
  { name: "LOCKED (an admin)", role: "ADMIN", gate: "anonymous", status: "LOCKED" },
  { name: "BANNED (an admin)", role: "ADMIN", gate: "anonymous", status: "BANNED" },
  // Beyond the nine of the issue: staff without 2FA, and a session that skipped the code.
  { name: "ADMIN without 2FA", role: "ADMIN", gate: "needs-2fa-setup", twoFactor: false },
  { name: "ADMIN before the 2FA step", role: "ADMIN", gate: "needs-2fa-step", verified: false },
];

/** Session cookies by principal name, made in beforeAll, and the principals' user ids. */
const cookies = new Map<string, string>();
const principalIds: string[] = [];
const sample: Record<string, string> = {};
const TOTP_SECRET = "JBSWY3DPEHPK3PXP";

async function logIn(who: Principal): Promise<string> {
  const role = who.role!;
  const twoFactor = who.twoFactor ?? isStaffRole(role);
  const user = await createUser(
    db,
    {
      role,
      accountStatus: who.status ?? "ACTIVE",
      ...(twoFactor ? { twoFactorSecret: TOTP_SECRET } : {}),
    },
    { encryptionKeys: appEnv.encryptionKeys },
  );
  principalIds.push(user.id);
  return sessionCookieFor(user.id, { twoFactorVerified: who.verified ?? twoFactor });
}

let target: {
  id: string;
  deviceId: string;
  blockedDeviceId: string;
  purchaseId: string;
  licenseId: string;
  resetRequestId: string;
  productId: string;
  previewKey: string;
  thumbnailKey: string;
  membershipId: string;
  projectId: string;
  addOnId: string;
};

/** Products the matrix's create requests would make, if one got through. */
const MATRIX_SLUG_PREFIX = `matrix-new-${createId().slice(0, 8)}`;

beforeAll(async () => {
  for (const who of PRINCIPALS) if (who.role) cookies.set(who.name, await logIn(who));

  const user = await createUser(db, { name: "Matrix Target" });
  const [device] = await db
    .insert(deviceSessions)
    .values({
      userId: user.id,
      fingerprintHash: createId(),
      label: "Firefox on Linux",
      lastSeenAt: new Date(),
    })
    .returning();
  const [blocked] = await db
    .insert(deviceSessions)
    .values({
      userId: user.id,
      fingerprintHash: createId(),
      label: "Chrome on Windows",
      lastSeenAt: new Date(),
      isBlocked: true,
      blockedReason: "Set up by the test",
      blockedAt: new Date(),
    })
    .returning();
  await sessionCookieFor(user.id, { deviceSessionId: device!.id });

  // A completed purchase with its license, through the test provider, for the store routes.
  const product = await createProduct({ db, files: env.FILES }, {});
  const { purchaseId } = await startCheckout(
    { db, env: appEnv },
    {
      user: { id: user.id, role: user.role, email: user.email },
      slug: product.slug,
      licenseType: "PERSONAL",
      origin: ORIGIN,
      now: new Date(),
    },
  );
  const settled = await settleTestCheckout(
    { db, env: appEnv },
    { purchaseId, outcome: "succeed", now: new Date() },
  );
  if (settled.status !== "processed" || !settled.licenseId) {
    throw new Error("The matrix's purchase didn't complete");
  }
  const [resetRequest] = await db
    .insert(downloadResetRequests)
    .values({ licenseId: settled.licenseId, userId: user.id, reason: "Permission matrix" })
    .returning({ id: downloadResetRequests.id });
  // A product with a thumbnail and a preview, for the product management routes.
  const managed = await createProduct(
    { db, files: env.FILES },
    { status: "DRAFT", publishedAt: null },
  );
  const previewKey = `previews/${managed.id}/matrix-preview.png`;
  const thumbnailKey = `thumbnails/${managed.id}/matrix-thumb.png`;
  for (const key of [previewKey, thumbnailKey]) {
    await env.FILES.put(key, new Uint8Array([0x89, 0x50, 0x4e, 0x47]), {
      httpMetadata: { contentType: "image/png" },
    });
  }
  await db
    .update(digitalProducts)
    .set({ previewKeys: [previewKey], thumbnailKey })
    .where(eq(digitalProducts.id, managed.id));

  target = {
    id: user.id,
    deviceId: device!.id,
    blockedDeviceId: blocked!.id,
    purchaseId,
    licenseId: settled.licenseId,
    resetRequestId: resetRequest!.id,
    productId: managed.id,
    previewKey,
    thumbnailKey,
    membershipId: (await createMembership(db, { userId: user.id, tier: "PRO", credits: 40 })).id,
    projectId: "",
    addOnId: "",
  };
  // A project in DESIGN with a pending add-on whose credits are reserved, for the studio routes.
  const project = await createProject(db, { clientId: user.id, phase: "DESIGN" });
  const addOn = await requestAddOn(
    { db },
    {
      actor: { id: user.id, role: user.role },
      request: {},
      now: new Date(),
      projectId: project.id,
      clientId: user.id,
      type: "SUPPORT_CALL",
      description: "Permission matrix",
    },
  );
  if (!addOn.ok) throw new Error(`The matrix's add-on was refused: ${addOn.message}`);
  target.projectId = project.id;
  target.addOnId = addOn.addOnId;

  const [email] = await db
    .insert(emailOutbox)
    .values({
      toEmail: "matrix@example.test",
      template: "test",
      subject: "Matrix",
      bodyText: "Hello",
      sendAfter: new Date(),
    })
    .returning({ id: emailOutbox.id });
  sample.userId = target.id;
  sample.emailId = email!.id;
  sample.purchaseId = target.purchaseId;
  sample.licenseId = target.licenseId;
  sample.requestId = target.resetRequestId;
  sample.productId = target.productId;
  sample.kind = "file";
  sample.membershipId = target.membershipId;
  sample.projectId = target.projectId;
});

// ---- Requests and expectations -------------------------------------------------------------------

/** A URL for the route; `known` says whether every param got a real id. */
function urlFor(route: ManifestRoute): { url: string; known: boolean } {
  let known = true;
  const path = fullPath(route)
    .split("/")
    .map((segment) => {
      if (segment === "*") return "anything";
      const param = /^:(\w+)\??$/.exec(segment)?.[1];
      if (!param) return segment;
      if (sample[param]) return sample[param];
      known = false;
      return "unknownid000000000000000";
    })
    .join("/");
  return { url: route.index ? `${path}?index` : path, known };
}

type Outcome = "login" | "2fa-setup" | "2fa-step" | "forbidden" | "allowed";

function expected(who: Principal, capabilities: Capability[]): Outcome {
  if (who.gate === "anonymous" || who.role === null) return "login";
  if (!capabilities.every((capability) => can(who.role, capability))) return "forbidden";
  if (who.gate === "needs-2fa-setup") return "2fa-setup";
  if (who.gate === "needs-2fa-step") return "2fa-step";
  return "allowed";
}

/** Boil a response down to what the matrix is about. */
function outcomeOf(response: Response): string {
  const location = response.headers.get("Location") ?? "";
  if (response.status >= 300 && response.status < 400) {
    if (location.startsWith("/login?") || location === "/login") return "login";
    if (location.startsWith("/login/2fa")) return "2fa-step";
    if (location.startsWith("/account/security")) return "2fa-setup";
    return `redirect to ${location}`;
  }
  if (response.status === 403) return "forbidden";
  return `status ${response.status}`;
}

const cookieOf = (who: Principal) => cookies.get(who.name);

/** `/admin/users/abc` → `/admin/users/abc.data?_routes=<id>`: one route's loader, nothing else. */
function singleFetchUrl(url: string, routeId: string): string {
  const [path = "/"] = url.split("?");
  const dataPath = path === "/" ? "/_root.data" : `${path.replace(/\/$/, "")}.data`;
  return `${dataPath}?${new URLSearchParams({ _routes: routeId })}`;
}

/** Single fetch answers a redirect with 202 and the target inside its turbo-stream body. */
async function dataOutcomeOf(response: Response): Promise<string> {
  if (response.status !== 202) return outcomeOf(response);
  const body = await response.text();
  const values = JSON.parse(body.split("\n")[0] ?? "[]") as unknown[];
  const at = values.indexOf("redirect");
  const location = at >= 0 ? values[at + 1] : undefined;
  if (typeof location !== "string") return `status 202: ${body.slice(0, 100)}`;
  return outcomeOf(new Response(null, { status: 302, headers: { Location: location } }));
}

/** Everything a forbidden action could have touched, read in one D1 round trip. */
async function targetState() {
  const [
    [user],
    devices,
    liveSessions,
    audit,
    [purchase],
    [license],
    [resetRequest],
    [product],
    created,
    [membership],
    ledger,
    [project],
    stints,
    [addOn],
    backups,
    flags,
  ] = await db.batch([
    db.select().from(users).where(eq(users.id, target.id)),
    db
      .select({ id: deviceSessions.id, isBlocked: deviceSessions.isBlocked })
      .from(deviceSessions)
      .where(eq(deviceSessions.userId, target.id)),
    db.select().from(sessions).where(eq(sessions.userId, target.id)),
    db
      .select()
      .from(auditLogs)
      .where(
        or(
          eq(auditLogs.entityId, target.id),
          inArray(auditLogs.entityId, [
            target.deviceId,
            target.blockedDeviceId,
            target.purchaseId,
            target.licenseId,
            target.resetRequestId,
            target.productId,
            target.membershipId,
            target.projectId,
            target.addOnId,
          ]),
        ),
      ),
    db
      .select({ status: digitalProductPurchases.status })
      .from(digitalProductPurchases)
      .where(eq(digitalProductPurchases.id, target.purchaseId)),
    db
      .select({
        status: licenses.status,
        reason: licenses.statusReason,
        resetAt: licenses.downloadWindowResetAt,
      })
      .from(licenses)
      .where(eq(licenses.id, target.licenseId)),
    db
      .select({ status: downloadResetRequests.status, notes: downloadResetRequests.reviewNotes })
      .from(downloadResetRequests)
      .where(eq(downloadResetRequests.id, target.resetRequestId)),
    db.select().from(digitalProducts).where(eq(digitalProducts.id, target.productId)),
    db
      .select({ id: digitalProducts.id })
      .from(digitalProducts)
      .where(like(digitalProducts.slug, `${MATRIX_SLUG_PREFIX}%`)),
    db
      .select({
        tier: memberships.tier,
        total: memberships.totalCredits,
        used: memberships.usedCredits,
      })
      .from(memberships)
      .where(eq(memberships.id, target.membershipId)),
    db
      .select({ id: creditTransactions.id })
      .from(creditTransactions)
      .where(eq(creditTransactions.membershipId, target.membershipId)),
    db.select().from(serviceProjects).where(eq(serviceProjects.id, target.projectId)),
    db
      .select()
      .from(projectPhaseHistory)
      .where(eq(projectPhaseHistory.projectId, target.projectId)),
    db.select().from(serviceAddOns).where(eq(serviceAddOns.id, target.addOnId)),
    // Only the matrix's own visitors: another test file may take backups meanwhile.
    db
      .select({ id: systemBackups.id })
      .from(systemBackups)
      .where(inArray(systemBackups.createdById, principalIds)),
    db.select().from(featureFlags),
  ]);
  const productObjects = await env.FILES.list({ prefix: `previews/${target.productId}/` });
  return {
    flags,
    project,
    stints,
    addOn,
    backups: backups.length,
    product,
    created: created.length,
    productObjects: productObjects.objects.map((object) => object.key),
    membership,
    ledger: ledger.length,
    purchase: purchase!.status,
    license,
    resetRequest,
    status: user!.accountStatus,
    role: user!.role,
    reason: user!.accountLockedReason,
    devices: devices.sort((a, b) => a.id.localeCompare(b.id)),
    sessions: liveSessions.length,
    audit: audit.length,
  };
}

/** Routes whose actions validate their form: an allowed empty submission is a 400 or 409. */
const FORM_ROUTES = new Set([
  "routes/admin.users.$userId",
  "routes/admin.purchases.$purchaseId",
  "routes/admin.licenses.$licenseId",
  "routes/admin.reset-requests.$requestId",
  "routes/admin.products.new",
  "routes/admin.products.$productId",
  "routes/admin.memberships.$membershipId",
  "routes/admin.memberships.new",
  "routes/admin.projects.$projectId",
  "routes/admin.add-ons",
  "routes/admin.backups._index",
  "routes/admin.flags",
]);

/** The product form, filled in so that it would be accepted. */
function productFields(): Record<string, string> {
  return {
    name: "Matrix product",
    slug: `${MATRIX_SLUG_PREFIX}-${createId().slice(0, 6)}`,
    category: "TEMPLATE",
    pricePersonal: "19.00",
    currency: "USD",
    teamSeats: "5",
    version: "2.0.0",
    status: "DRAFT",
  };
}

/** Bodies that would succeed if the visitor were allowed: refusals must change nothing. */
function validBody(routeId: string, intent: string | null): Record<string, string> {
  const reason = "Permission matrix";
  if (routeId === "routes/admin.products.new") return productFields();
  if (routeId === "routes/admin.products.$productId") {
    if (intent === "save") return { intent, ...productFields() };
    if (intent === "remove-preview") return { intent, key: target.previewKey };
    if (intent === "remove-thumbnail") return { intent, key: target.thumbnailKey };
  }
  if (intent === null) return {};
  // Every intent of the store routes (refund; suspend, revoke, reinstate) takes a reason.
  if (
    routeId === "routes/admin.purchases.$purchaseId" ||
    routeId === "routes/admin.licenses.$licenseId"
  ) {
    return { intent, reason };
  }
  if (routeId === "routes/admin.reset-requests.$requestId") return { intent, notes: reason };
  if (routeId === "routes/admin.memberships.$membershipId") {
    if (intent === "refund-pack") return { intent, checkoutId: "nosuchcheckout00", reason };
    return intent === "assign-tier"
      ? { intent, tier: "MANAGED", reason }
      : { intent, amount: "5", reason, token: "matrixtoken0001" };
  }
  if (routeId === "routes/admin.memberships.new") {
    return { intent, userId: target.id, tier: "PRO", reason };
  }
  if (routeId === "routes/admin.projects.$projectId") {
    const terms = {
      scope: "Matrix scope",
      features: "One\nTwo",
      deadline: "2099-01-01",
      designRevisionsMax: "3",
      buildRevisionsMax: "2",
    };
    const bodies: Record<string, Record<string, string>> = {
      accept: { ...terms, startDate: "2098-01-01" },
      decline: { reason },
      move: { phase: "BUILD", expectedPhase: "DESIGN" },
      pause: { reason, expectedPhase: "DESIGN" },
      resume: { expectedPhase: "PAUSED" },
      cancel: { reason, expectedPhase: "DESIGN" },
      update: terms,
    };
    return { intent, ...bodies[intent] };
  }
  if (routeId === "routes/admin.add-ons") {
    return {
      intent,
      addOnId: target.addOnId,
      notes: reason,
      ...(intent === "price" ? { credits: "5" } : {}),
    };
  }
  if (routeId === "routes/admin.backups._index") {
    // No backup exists in the matrix's database: `continue` and the dry run would answer 404.
    return intent === "backup"
      ? { intent, parts: "config" }
      : { intent, backupId: "nosuchbackup00" };
  }
  if (routeId === "routes/admin.flags") {
    return { intent, name: "downloads", environment: "development", enabled: "off", reason };
  }
  if (routeId !== "routes/admin.users.$userId") return { intent };
  const bodies: Record<string, Record<string, string>> = {
    lock: { reason },
    suspend: { reason },
    ban: { reason },
    unlock: { reason },
    "change-role": { role: "MODERATOR" },
    "block-device": { deviceId: target.deviceId, reason },
    "unblock-device": { deviceId: target.blockedDeviceId },
  };
  return { intent, ...bodies[intent] };
}

// ---- The suite -------------------------------------------------------------------------------------

describe("the admin route manifest", () => {
  it("holds the admin area (sanity check of the manifest reader)", () => {
    const ids = ADMIN_ROUTES.map((route) => route.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        "routes/admin",
        "routes/admin._index",
        "routes/admin.users.$userId",
        "routes/admin.purchases._index",
        "routes/admin.purchases.$purchaseId",
        "routes/admin.licenses._index",
        "routes/admin.licenses.$licenseId",
        "routes/admin.reset-requests._index",
        "routes/admin.reset-requests.$requestId",
        "routes/admin.products._index",
        "routes/admin.products.$productId",
        "routes/admin.products.$productId_.uploads.$kind",
        "routes/admin.memberships._index",
        "routes/admin.memberships.$membershipId",
        "routes/admin.memberships.new",
        "routes/admin.projects._index",
        "routes/admin.projects.$projectId",
        "routes/admin.add-ons",
        "routes/admin.backups._index",
        "routes/admin.backups.$backupId.manifest",
        "routes/admin.audit",
        "routes/admin.audit_.export",
        "routes/admin.flags",
      ]),
    );
    expect(ADMIN_ROUTES.find((route) => route.id === "routes/admin.users.$userId")?.hasAction).toBe(
      true,
    );
  });

  it("has a policy entry for every admin route", () => {
    const missing = ADMIN_ROUTES.filter((route) => !routePolicy(route.id)).map((route) => route.id);
    expect(
      missing,
      "add these routes to ADMIN_ROUTE_POLICY (app/domain/auth/route-policy.ts)",
    ).toEqual([]);
  });

  it("has an action policy for every admin route with an action", () => {
    const missing = ADMIN_ROUTES.filter(
      (route) => route.hasAction && !routePolicy(route.id)?.action,
    ).map((route) => route.id);
    expect(missing, "give these actions a capability in ADMIN_ROUTE_POLICY").toEqual([]);
    const stray = ADMIN_ROUTES.filter(
      (route) => !route.hasAction && routePolicy(route.id)?.action,
    ).map((route) => route.id);
    expect(stray, "these routes have an action policy but no action").toEqual([]);
  });

  it("has no policy entries for routes the build doesn't have", () => {
    const known = new Set(ADMIN_ROUTES.map((route) => route.id));
    expect(Object.keys(ADMIN_ROUTE_POLICY).filter((id) => !known.has(id))).toEqual([]);
  });
});

for (const route of ADMIN_ROUTES) {
  const chain = adminChain(route);

  describe(`GET ${route.id}`, () => {
    for (const who of PRINCIPALS) {
      it(`answers ${who.name} as the policy says`, async () => {
        const policies = chain.map((entry) => routePolicy(entry.id));
        expect(
          policies.every(Boolean),
          `${route.id} or a parent has no entry in ADMIN_ROUTE_POLICY`,
        ).toBe(true);
        const { url, known } = urlFor(route);
        const cookie = cookieOf(who);
        const headers: Record<string, string> = cookie ? { Cookie: cookie } : {};
        const allowedStatus = known ? "status 200" : expect.stringMatching(/^status (200|404)$/);

        // The page, as a browser loads it: the layout's loader and the route's run together.
        const page = await SELF.fetch(`${ORIGIN}${url}`, { redirect: "manual", headers });
        const wantPage = expected(
          who,
          policies.map((policy) => policy!.loader),
        );
        expect(outcomeOf(page), `document ${url}`).toEqual(
          wantPage === "allowed" ? allowedStatus : wantPage,
        );

        // The route's loader alone, as client-side navigation calls it (single fetch): it must
        // guard itself, not lean on the layout.
        if (!route.hasLoader) return;
        const dataUrl = singleFetchUrl(url, route.id);
        const data = await SELF.fetch(`${ORIGIN}${dataUrl}`, { redirect: "manual", headers });
        const wantData = expected(who, [routePolicy(route.id)!.loader]);
        expect(await dataOutcomeOf(data), `data ${dataUrl}`).toEqual(
          wantData === "allowed" ? allowedStatus : wantData,
        );
      });
    }
  });

  if (!route.hasAction) continue;
  describe(`POST ${route.id}`, () => {
    for (const intent of actionIntents(route.id) ?? [null]) {
      for (const who of PRINCIPALS) {
        it(`answers ${who.name} for intent ${intent ?? "(none)"} as the policy says`, async () => {
          const capability = actionCapability(route.id, intent);
          expect(
            capability,
            `${route.id} has an action without a capability in ADMIN_ROUTE_POLICY`,
          ).toBeTruthy();
          const want = expected(who, [capability!]);
          const { url } = urlFor(route);
          const before = await targetState();
          // A refused visitor sends a body that would work; an allowed one an empty form, so
          // that passing the check shows as a validation answer and nothing changes either way.
          const body =
            want === "allowed" ? (intent ? { intent } : {}) : validBody(route.id, intent);
          const cookie = cookieOf(who);
          const request = postForm(url, body, cookie ? { cookie } : {});
          const response = await SELF.fetch(`${ORIGIN}${request.path}`, request.init);
          const got = outcomeOf(response);
          if (want !== "allowed") expect(got, url).toBe(want);
          else if (FORM_ROUTES.has(route.id)) expect(got, url).toMatch(/^status (400|409)$/);
          else expect(got, url).toMatch(/^(status [1-4]\d\d|redirect to .*)$/);
          expect(await targetState()).toEqual(before);
        });
      }
    }
  });
}
