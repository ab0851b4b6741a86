import type { AccountStatus, UserRole } from "#db/schema/enums";

/**
 * The one policy table (docs/architecture.md §6). Every loader and action asks `can(role, capability)`;
 * anything not listed here is denied.
 */
export const CAPABILITIES = [
  "account:own",
  "admin:open",
  "products:manage",
  "licenses:moderate",
  "reset-requests:review",
  "users:moderate",
  "users:ban",
  "devices:block",
  "users:change-role",
  "projects:manage",
  "memberships:manage",
  "payments:refund",
  "audit:read",
  "flags:manage",
  "backups:run",
  "backups:restore",
  "settings:manage",
] as const;
export type Capability = (typeof CAPABILITIES)[number];

const STAFF: readonly UserRole[] = ["VIEWER", "EDITOR", "MODERATOR", "ADMIN", "OWNER"];
const MODERATION: readonly UserRole[] = ["MODERATOR", "ADMIN", "OWNER"];
const ADMINS: readonly UserRole[] = ["ADMIN", "OWNER"];

export const POLICY: Readonly<Record<Capability, readonly UserRole[]>> = {
  "account:own": ["USER", ...STAFF],
  "admin:open": STAFF,
  "products:manage": ["EDITOR", "ADMIN", "OWNER"],
  "licenses:moderate": MODERATION,
  "reset-requests:review": MODERATION,
  "users:moderate": MODERATION,
  "users:ban": ADMINS,
  "devices:block": ADMINS,
  "users:change-role": ADMINS,
  "projects:manage": ADMINS,
  "memberships:manage": ADMINS,
  "payments:refund": ADMINS,
  "audit:read": MODERATION,
  "flags:manage": ADMINS,
  "backups:run": ADMINS,
  "backups:restore": ["OWNER"],
  "settings:manage": ["OWNER"],
};

/** Deny by default: an unknown role or capability is simply not in the table. */
export function can(role: UserRole | null | undefined, capability: Capability): boolean {
  if (!role) return false;
  // Own properties only: "constructor" or "__proto__" are not capabilities.
  return Object.hasOwn(POLICY, capability) && POLICY[capability].includes(role);
}

export const isStaffRole = (role: UserRole) => STAFF.includes(role);

const RANK: Record<UserRole, number> = {
  USER: 0,
  VIEWER: 1,
  EDITOR: 2,
  MODERATOR: 3,
  ADMIN: 4,
  OWNER: 5,
};

export type StatusChange = Exclude<AccountStatus, "ACTIVE"> | "ACTIVE";

export type Denial = { allowed: false; reason: string };
export type Decision = { allowed: true } | Denial;
const allow: Decision = { allowed: true };
const deny = (reason: string): Denial => ({ allowed: false, reason });

interface Party {
  id: string;
  role: UserRole;
}

/**
 * May `actor` set `target`'s account status? Nobody acts on themselves; MODERATOR acts on
 * USER accounts only; banning needs ADMIN; nobody acts on someone of equal or higher rank
 * except an OWNER.
 */
export function canChangeStatus(actor: Party, target: Party, status: StatusChange): Decision {
  if (actor.id === target.id) return deny("You can't change your own account status.");
  const capability: Capability = status === "BANNED" ? "users:ban" : "users:moderate";
  if (!can(actor.role, capability)) return deny("Your role can't do this.");
  if (actor.role === "MODERATOR" && target.role !== "USER") {
    return deny("Moderators can only act on customer accounts.");
  }
  if (actor.role !== "OWNER" && RANK[target.role] >= RANK[actor.role]) {
    return deny("You can't act on an account with your role or a higher one.");
  }
  return allow;
}

/** Roles `actor` may hand out: ADMIN up to MODERATOR, OWNER any. */
export function assignableRoles(actorRole: UserRole): UserRole[] {
  if (actorRole === "OWNER") return ["USER", "VIEWER", "EDITOR", "MODERATOR", "ADMIN", "OWNER"];
  if (actorRole === "ADMIN") return ["USER", "VIEWER", "EDITOR", "MODERATOR"];
  return [];
}

export function canChangeRole(actor: Party, target: Party, newRole: UserRole): Decision {
  if (actor.id === target.id) return deny("You can't change your own role.");
  if (!can(actor.role, "users:change-role")) return deny("Your role can't change roles.");
  if (actor.role !== "OWNER" && RANK[target.role] >= RANK[actor.role]) {
    return deny("You can't change the role of someone with your role or a higher one.");
  }
  if (!assignableRoles(actor.role).includes(newRole)) {
    return deny(`Your role can't grant ${newRole}.`);
  }
  return allow;
}
