import type { AccountStatus, UserRole } from "#db/schema/enums";
import {
  assignableRoles,
  can,
  canChangeRole,
  canChangeStatus,
  type Decision,
  type StatusChange,
} from "./permissions";

/**
 * Object-level rules for staff acting on an account or its devices (docs/architecture.md §6), on top
 * of the policy table: who may act on whom, and which actions a page should offer.
 */

/** Reasons for locking, suspending, banning and blocking are required and at most this long. */
export const REASON_MAX_LENGTH = 500;

/** The status each moderation intent of /admin/users/:userId sets. */
export const STATUS_FOR_INTENT = {
  lock: "LOCKED",
  suspend: "SUSPENDED",
  unlock: "ACTIVE",
  ban: "BANNED",
} as const satisfies Record<string, AccountStatus>;
export type StatusIntent = keyof typeof STATUS_FOR_INTENT;
export const STATUS_INTENTS = Object.keys(STATUS_FOR_INTENT) as StatusIntent[];

export interface Actor {
  id: string;
  role: UserRole;
}
export interface Target extends Actor {
  accountStatus: AccountStatus;
}

const deny = (reason: string): Decision => ({ allowed: false, reason });

/**
 * `canChangeStatus`, plus: a ban is only lifted (or turned into something milder) by someone
 * who may ban, so a moderator can't undo an admin's decision.
 */
export function canSetStatus(actor: Actor, target: Target, status: StatusChange): Decision {
  const decision = canChangeStatus(actor, target, status);
  if (!decision.allowed) return decision;
  if (target.accountStatus === "BANNED" && !can(actor.role, "users:ban")) {
    return deny("Only an admin can lift a ban.");
  }
  return decision;
}

/**
 * Blocking a device shuts its owner out from it, so it follows the ban rules: `devices:block`,
 * never one's own device, and only an OWNER acts on equal or higher roles.
 */
export function canManageDevices(actor: Actor, owner: Actor): Decision {
  if (!can(actor.role, "devices:block")) return deny("Your role can't block devices.");
  if (actor.id === owner.id) return deny("You can't block or unblock your own devices.");
  return canChangeStatus(actor, owner, "BANNED");
}

export interface ModerationOptions {
  statusIntents: StatusIntent[];
  roles: UserRole[];
  devices: boolean;
}

/** What the account page offers `actor` for `target`: only forms the actor may use. */
export function moderationOptions(actor: Actor, target: Target): ModerationOptions {
  return {
    statusIntents: STATUS_INTENTS.filter((intent) => {
      const status = STATUS_FOR_INTENT[intent];
      return status !== target.accountStatus && canSetStatus(actor, target, status).allowed;
    }),
    roles: assignableRoles(actor.role).filter(
      (role) => role !== target.role && canChangeRole(actor, target, role).allowed,
    ),
    devices: canManageDevices(actor, target).allowed,
  };
}
