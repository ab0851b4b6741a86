import { describe, expect, it } from "vitest";
import { USER_ROLES, type UserRole } from "#db/schema/enums";
import { canManageDevices, canSetStatus, moderationOptions } from "~/domain/auth/moderation";
import {
  assignableRoles,
  can,
  canChangeRole,
  canChangeStatus,
  CAPABILITIES,
  isStaffRole,
  POLICY,
  type Capability,
  type StatusChange,
} from "~/domain/auth/permissions";
import {
  actionCapability,
  actionIntents,
  ADMIN_ROUTE_POLICY,
  routePolicy,
} from "~/domain/auth/route-policy";

const ROLES = ["USER", "VIEWER", "EDITOR", "MODERATOR", "ADMIN", "OWNER"] as const;

/**
 * docs/architecture.md §6, copied by hand: one row per capability, one column per role, in the order
 * USER, VIEWER, EDITOR, MODERATOR, ADMIN, OWNER. If the policy table changes, this copy and
 * the design must change with it.
 */
// prettier-ignore
const EXPECTED: Record<Capability, readonly [0 | 1, 0 | 1, 0 | 1, 0 | 1, 0 | 1, 0 | 1]> = {
  //                        USER VIEW EDIT MOD ADMIN OWNER
  "account:own":           [1,   1,   1,   1,  1,    1],
  "admin:open":            [0,   1,   1,   1,  1,    1],
  "products:manage":       [0,   0,   1,   0,  1,    1],
  "licenses:moderate":     [0,   0,   0,   1,  1,    1],
  "reset-requests:review": [0,   0,   0,   1,  1,    1],
  "users:moderate":        [0,   0,   0,   1,  1,    1],
  "users:ban":             [0,   0,   0,   0,  1,    1],
  "devices:block":         [0,   0,   0,   0,  1,    1],
  "users:change-role":     [0,   0,   0,   0,  1,    1],
  "projects:manage":       [0,   0,   0,   0,  1,    1],
  "memberships:manage":    [0,   0,   0,   0,  1,    1],
  "payments:refund":       [0,   0,   0,   0,  1,    1],
  "audit:read":            [0,   0,   0,   1,  1,    1],
  "flags:manage":          [0,   0,   0,   0,  1,    1],
  "backups:run":           [0,   0,   0,   0,  1,    1],
  "backups:restore":       [0,   0,   0,   0,  0,    1],
  "settings:manage":       [0,   0,   0,   0,  0,    1],
};

/** A grant is `true` and nothing else; a throw counts as a refusal (errors fail closed). */
function grants(role: unknown, capability: unknown): boolean {
  try {
    return can(role as UserRole, capability as Capability) === true;
  } catch {
    return false;
  }
}

describe("the policy table (docs/architecture.md §6)", () => {
  it("lists exactly the capabilities of the design", () => {
    expect([...CAPABILITIES].sort()).toEqual(Object.keys(EXPECTED).sort());
    expect(Object.keys(POLICY).sort()).toEqual(Object.keys(EXPECTED).sort());
    expect([...USER_ROLES]).toEqual([...ROLES]);
  });

  for (const capability of CAPABILITIES) {
    it(`grants ${capability} to exactly ${ROLES.filter((_, index) => EXPECTED[capability][index]).join(", ")}`, () => {
      const actual = ROLES.map((role) => (can(role, capability) ? 1 : 0));
      expect(actual).toEqual([...EXPECTED[capability]]);
    });
  }

  it("denies by default: no role, an unknown role, an unknown capability", () => {
    for (const capability of CAPABILITIES) {
      expect(can(null, capability)).toBe(false);
      expect(can(undefined, capability)).toBe(false);
      expect(grants("SUPERUSER", capability)).toBe(false);
      expect(grants("owner", capability)).toBe(false);
      expect(grants("", capability)).toBe(false);
    }
    for (const role of ROLES) {
      for (const capability of ["users:delete", "admin", "", "ADMIN:OPEN", "admin:open "]) {
        expect(grants(role, capability)).toBe(false);
      }
      // Names inherited from Object.prototype are not capabilities either.
      for (const capability of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
        expect(grants(role, capability)).toBe(false);
      }
    }
  });

  it("calls VIEWER and above staff", () => {
    expect(ROLES.filter(isStaffRole)).toEqual(["VIEWER", "EDITOR", "MODERATOR", "ADMIN", "OWNER"]);
  });
});

// ---- Account status ----------------------------------------------------------------------------

const party = (role: UserRole, id = `id-${role}`) => ({ id, role });
const other = (role: UserRole) => party(role, `other-${role}`);

/**
 * Who may lock, suspend or reactivate whom (rows: actor; columns: target, another person),
 * and who may ban whom. Same column order as above.
 */
// prettier-ignore
const MODERATE_MATRIX: Record<UserRole, readonly number[]> = {
  //          USER VIEW EDIT MOD ADMIN OWNER
  USER:      [0,   0,   0,   0,  0,    0],
  VIEWER:    [0,   0,   0,   0,  0,    0],
  EDITOR:    [0,   0,   0,   0,  0,    0],
  MODERATOR: [1,   0,   0,   0,  0,    0],
  ADMIN:     [1,   1,   1,   1,  0,    0],
  OWNER:     [1,   1,   1,   1,  1,    1],
};
// prettier-ignore
const BAN_MATRIX: Record<UserRole, readonly number[]> = {
  //          USER VIEW EDIT MOD ADMIN OWNER
  USER:      [0,   0,   0,   0,  0,    0],
  VIEWER:    [0,   0,   0,   0,  0,    0],
  EDITOR:    [0,   0,   0,   0,  0,    0],
  MODERATOR: [0,   0,   0,   0,  0,    0],
  ADMIN:     [1,   1,   1,   1,  0,    0],
  OWNER:     [1,   1,   1,   1,  1,    1],
};

describe("canChangeStatus", () => {
  for (const status of [
    "LOCKED",
    "SUSPENDED",
    "ACTIVE",
    "BANNED",
  ] as const satisfies StatusChange[]) {
    const matrix = status === "BANNED" ? BAN_MATRIX : MODERATE_MATRIX;
    it(`follows the matrix for ${status}`, () => {
      for (const actor of ROLES) {
        const actual = ROLES.map((target) =>
          canChangeStatus(party(actor), other(target), status).allowed ? 1 : 0,
        );
        expect({ actor, actual }).toEqual({ actor, actual: [...matrix[actor]] });
      }
    });
  }

  it("lets nobody change their own status, not even an owner", () => {
    for (const role of ROLES) {
      for (const status of ["LOCKED", "SUSPENDED", "ACTIVE", "BANNED"] as const) {
        const decision = canChangeStatus(party(role), party(role), status);
        expect(decision.allowed).toBe(false);
      }
    }
    expect(canChangeStatus(party("OWNER"), party("OWNER"), "LOCKED")).toEqual({
      allowed: false,
      reason: expect.stringContaining("your own"),
    });
  });

  it("says why a moderator can't act on staff", () => {
    const decision = canChangeStatus(party("MODERATOR"), other("VIEWER"), "LOCKED");
    expect(decision).toEqual({
      allowed: false,
      reason: expect.stringContaining("customer accounts"),
    });
  });
});

describe("canSetStatus and canManageDevices (object-level rules on top)", () => {
  const banned = (role: UserRole) => ({ ...other(role), accountStatus: "BANNED" as const });
  const active = (role: UserRole) => ({ ...other(role), accountStatus: "ACTIVE" as const });

  it("only someone who may ban lifts or softens a ban", () => {
    expect(canSetStatus(party("MODERATOR"), banned("USER"), "ACTIVE").allowed).toBe(false);
    expect(canSetStatus(party("MODERATOR"), banned("USER"), "LOCKED").allowed).toBe(false);
    expect(canSetStatus(party("ADMIN"), banned("USER"), "ACTIVE").allowed).toBe(true);
    expect(canSetStatus(party("MODERATOR"), active("USER"), "LOCKED").allowed).toBe(true);
  });

  it("blocking a device follows the ban matrix, and never one's own", () => {
    for (const actor of ROLES) {
      const actual = ROLES.map((target) =>
        canManageDevices(party(actor), other(target)).allowed ? 1 : 0,
      );
      expect({ actor, actual }).toEqual({ actor, actual: [...BAN_MATRIX[actor]] });
      expect(canManageDevices(party(actor), party(actor)).allowed).toBe(false);
    }
  });

  it("offers only the forms the actor may use", () => {
    expect(moderationOptions(party("MODERATOR"), active("USER"))).toEqual({
      statusIntents: ["lock", "suspend"],
      roles: [],
      devices: false,
    });
    expect(moderationOptions(party("ADMIN"), active("USER"))).toEqual({
      statusIntents: ["lock", "suspend", "ban"],
      roles: ["VIEWER", "EDITOR", "MODERATOR"],
      devices: true,
    });
    expect(moderationOptions(party("ADMIN"), banned("EDITOR")).statusIntents).toEqual([
      "lock",
      "suspend",
      "unlock",
    ]);
    expect(moderationOptions(party("ADMIN"), active("ADMIN"))).toEqual({
      statusIntents: [],
      roles: [],
      devices: false,
    });
    expect(
      moderationOptions(party("OWNER"), { ...party("OWNER"), accountStatus: "ACTIVE" }),
    ).toEqual({
      statusIntents: [],
      roles: [],
      devices: false,
    });
    expect(moderationOptions(party("VIEWER"), active("USER"))).toEqual({
      statusIntents: [],
      roles: [],
      devices: false,
    });
  });
});

// ---- Roles ----------------------------------------------------------------------------------------

describe("canChangeRole and assignableRoles", () => {
  it("ADMIN assigns up to MODERATOR, OWNER any role, everyone else none", () => {
    expect(assignableRoles("OWNER")).toEqual([
      "USER",
      "VIEWER",
      "EDITOR",
      "MODERATOR",
      "ADMIN",
      "OWNER",
    ]);
    expect(assignableRoles("ADMIN")).toEqual(["USER", "VIEWER", "EDITOR", "MODERATOR"]);
    for (const role of ["USER", "VIEWER", "EDITOR", "MODERATOR"] as const) {
      expect(assignableRoles(role)).toEqual([]);
    }
  });

  it("an ADMIN changes roles below ADMIN, to at most MODERATOR", () => {
    const admin = party("ADMIN");
    for (const target of ROLES) {
      for (const newRole of ROLES) {
        const expected =
          ["USER", "VIEWER", "EDITOR", "MODERATOR"].includes(target) &&
          ["USER", "VIEWER", "EDITOR", "MODERATOR"].includes(newRole);
        expect({
          target,
          newRole,
          allowed: canChangeRole(admin, other(target), newRole).allowed,
        }).toEqual({
          target,
          newRole,
          allowed: expected,
        });
      }
    }
    expect(canChangeRole(admin, other("USER"), "ADMIN")).toEqual({
      allowed: false,
      reason: expect.stringContaining("ADMIN"),
    });
  });

  it("an OWNER changes anyone else's role to anything", () => {
    for (const target of ROLES) {
      for (const newRole of ROLES) {
        expect(canChangeRole(party("OWNER"), other(target), newRole).allowed).toBe(true);
      }
    }
  });

  it("USER, VIEWER, EDITOR and MODERATOR change no roles", () => {
    for (const actor of ["USER", "VIEWER", "EDITOR", "MODERATOR"] as const) {
      for (const target of ROLES) {
        for (const newRole of ROLES) {
          expect(canChangeRole(party(actor), other(target), newRole).allowed).toBe(false);
        }
      }
    }
  });

  it("nobody changes their own role", () => {
    for (const role of ROLES) {
      for (const newRole of ROLES) {
        expect(canChangeRole(party(role), party(role), newRole).allowed).toBe(false);
      }
    }
  });
});

// ---- Admin route policy ----------------------------------------------------------------------------

describe("ADMIN_ROUTE_POLICY", () => {
  it("only names capabilities of the policy table, and every admin page needs admin:open or more", () => {
    for (const [routeId, policy] of Object.entries(ADMIN_ROUTE_POLICY)) {
      expect(CAPABILITIES).toContain(policy.loader);
      // Anyone allowed to load an admin page may open the admin area.
      for (const role of ROLES) {
        if (can(role, policy.loader))
          expect({ routeId, role, admin: can(role, "admin:open") }).toEqual({
            routeId,
            role,
            admin: true,
          });
      }
      const intents = actionIntents(routeId);
      for (const intent of intents ?? [null]) {
        const capability = actionCapability(routeId, intent);
        if ("action" in policy) expect(CAPABILITIES).toContain(capability);
      }
    }
  });

  it("refuses unknown routes and intents (deny by default)", () => {
    expect(routePolicy("routes/admin.nope")).toBeNull();
    expect(routePolicy("constructor")).toBeNull();
    expect(actionCapability("routes/admin.users.$userId", "delete-everything")).toBeNull();
    expect(actionCapability("routes/admin.users.$userId", "constructor")).toBeNull();
    expect(actionCapability("routes/admin.users.$userId", null)).toBeNull();
    expect(actionCapability("routes/admin._index", "anything")).toBeNull();
    expect(actionCapability("routes/admin.users.$userId", "ban")).toBe("users:ban");
    expect(actionCapability("routes/admin.users.$userId", "lock")).toBe("users:moderate");
    expect(actionCapability("routes/admin.users.$userId", "change-role")).toBe("users:change-role");
    expect(actionCapability("routes/admin.users.$userId", "block-device")).toBe("devices:block");
  });
});
