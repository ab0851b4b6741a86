import type { Capability } from "./permissions";

/**
 * What every route under /admin needs, keyed by its Remix route id (the file name under
 * app/routes without extension). The routes read their capabilities from here, and the
 * request test walks the built route manifest and fails for any admin route (or action)
 * without an entry, so this table and the app cannot drift apart.
 */
export interface RoutePolicy {
  /** Needed by the route's loader (every admin page has one; the parent layout checks too). */
  loader: Capability;
  /**
   * Needed by the route's action: one capability for every submission, or one per value of
   * the form's `intent` field. An intent not listed is refused (deny by default).
   */
  action?: Capability | Readonly<Record<string, Capability>>;
}

export const ADMIN_ROUTE_POLICY = {
  "routes/admin": { loader: "admin:open" },
  "routes/admin._index": { loader: "admin:open" },
  "routes/admin.outbox": { loader: "admin:open" },
  "routes/admin.licenses._index": { loader: "admin:open" },
  "routes/admin.licenses.$licenseId": {
    loader: "admin:open",
    action: {
      suspend: "licenses:moderate",
      revoke: "licenses:moderate",
      reinstate: "licenses:moderate",
    },
  },
  "routes/admin.outbox_.$emailId": { loader: "admin:open" },
  "routes/admin.products._index": { loader: "products:manage" },
  "routes/admin.products.new": { loader: "products:manage", action: "products:manage" },
  "routes/admin.products.$productId": {
    loader: "products:manage",
    action: {
      save: "products:manage",
      "remove-preview": "products:manage",
      "remove-thumbnail": "products:manage",
    },
  },
  "routes/admin.products.$productId_.uploads.$kind": {
    loader: "products:manage",
    action: "products:manage",
  },
  "routes/admin.purchases._index": { loader: "admin:open" },
  "routes/admin.purchases.$purchaseId": {
    loader: "admin:open",
    action: { refund: "payments:refund" },
  },
  "routes/admin.reset-requests._index": { loader: "admin:open" },
  "routes/admin.reset-requests.$requestId": {
    loader: "admin:open",
    action: { approve: "reset-requests:review", reject: "reset-requests:review" },
  },
  "routes/admin.memberships._index": { loader: "admin:open" },
  "routes/admin.memberships.$membershipId": {
    loader: "admin:open",
    action: {
      "assign-tier": "memberships:manage",
      adjust: "memberships:manage",
      "refund-pack": "memberships:manage",
    },
  },
  "routes/admin.memberships.new": {
    loader: "memberships:manage",
    action: { grant: "memberships:manage" },
  },
  "routes/admin.projects._index": { loader: "admin:open" },
  "routes/admin.projects.$projectId": {
    loader: "admin:open",
    action: {
      accept: "projects:manage",
      decline: "projects:manage",
      move: "projects:manage",
      pause: "projects:manage",
      resume: "projects:manage",
      cancel: "projects:manage",
      update: "projects:manage",
    },
  },
  "routes/admin.add-ons": {
    loader: "admin:open",
    action: {
      approve: "projects:manage",
      reject: "projects:manage",
      start: "projects:manage",
      complete: "projects:manage",
      price: "projects:manage",
    },
  },
  "routes/admin.backups._index": {
    loader: "backups:run",
    action: {
      backup: "backups:run",
      continue: "backups:run",
      // Verifies and reports; writes nothing. A real restore is the CLI's (ADR 0008).
      "restore-dry-run": "backups:run",
    },
  },
  "routes/admin.backups.$backupId.manifest": { loader: "backups:run" },
  "routes/admin.audit": { loader: "audit:read" },
  "routes/admin.audit_.export": { loader: "audit:read" },
  "routes/admin.flags": { loader: "flags:manage", action: { set: "flags:manage" } },
  "routes/admin.users._index": { loader: "admin:open" },
  "routes/admin.users.$userId": {
    loader: "admin:open",
    action: {
      lock: "users:moderate",
      suspend: "users:moderate",
      unlock: "users:moderate",
      ban: "users:ban",
      "change-role": "users:change-role",
      "block-device": "devices:block",
      "unblock-device": "devices:block",
    },
  },
} as const satisfies Record<string, RoutePolicy>;

export type AdminRouteId = keyof typeof ADMIN_ROUTE_POLICY;

const policies: Readonly<Record<string, RoutePolicy>> = ADMIN_ROUTE_POLICY;

export function routePolicy(routeId: string): RoutePolicy | null {
  return Object.hasOwn(policies, routeId) ? policies[routeId]! : null;
}

/** The intents a route's action accepts, or null when it takes a single capability for all. */
export function actionIntents(routeId: string): string[] | null {
  const action = routePolicy(routeId)?.action;
  if (!action || typeof action === "string") return null;
  return Object.keys(action);
}

/**
 * The capability a submission to `routeId` needs, or null when the route has no action or
 * the intent is unknown: the caller refuses those.
 */
export function actionCapability(routeId: string, intent: string | null): Capability | null {
  const action = routePolicy(routeId)?.action;
  if (!action) return null;
  if (typeof action === "string") return action;
  if (intent === null || !Object.hasOwn(action, intent)) return null;
  return action[intent] ?? null;
}

// ---- Staff step-up ---------------------------------------------------------------------------

/** How long a two-factor code proves "it is really you" for the actions below. */
export const STEP_UP_MAX_AGE_MS = 10 * 60 * 1000;

type ActionIntent<R extends AdminRouteId> = (typeof ADMIN_ROUTE_POLICY)[R] extends {
  action: infer A;
}
  ? A extends string
    ? never
    : keyof A & string
  : never;

/**
 * The admin actions that cannot be undone or move money and power: each needs a two-factor
 * code entered in the last {@link STEP_UP_MAX_AGE_MS} on this session, not just the one given at
 * log-in (a session lasts 30 days). The capability still comes from ADMIN_ROUTE_POLICY above;
 * this only adds the fresh code. The restore dry run is the restore's entry point on
 * /admin/backups (the restore itself runs from the CLI, ADR 0008).
 */
export const STEP_UP_INTENTS: { readonly [R in AdminRouteId]?: readonly ActionIntent<R>[] } = {
  "routes/admin.users.$userId": ["ban", "change-role"],
  "routes/admin.purchases.$purchaseId": ["refund"],
  "routes/admin.licenses.$licenseId": ["revoke"],
  "routes/admin.memberships.$membershipId": ["adjust", "refund-pack"],
  "routes/admin.memberships.new": ["grant"],
  "routes/admin.backups._index": ["restore-dry-run"],
};

/** Whether a submission of `intent` to `routeId` needs a fresh two-factor code. */
export function needsStepUp(routeId: string, intent: string | null): boolean {
  if (intent === null || !Object.hasOwn(STEP_UP_INTENTS, routeId)) return false;
  const intents: readonly string[] = STEP_UP_INTENTS[routeId as AdminRouteId] ?? [];
  return intents.includes(intent);
}

/** A code proved at `verifiedAt` still counts at `now`. */
export function stepUpIsFresh(verifiedAt: Date | null, now: Date): boolean {
  return verifiedAt !== null && now.getTime() - verifiedAt.getTime() <= STEP_UP_MAX_AGE_MS;
}
