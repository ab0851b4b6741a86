import { describe, expect, it } from "vitest";
import { AUDIT_ACTIONS } from "~/domain/audit/actions";
import {
  describeAuditRow,
  describesAction,
  metadataLabel,
  peopleOf,
  type AuditPerson,
} from "~/domain/audit/describe";

const people = new Map<string, AuditPerson>([
  ["mia", { name: "Mia Chen", role: "MODERATOR" }],
  ["sam", { name: "Sam Lee", role: "USER" }],
  ["gone", { name: "Deleted", role: "USER", deleted: true }],
]);

const row = (overrides: Partial<Parameters<typeof describeAuditRow>[0]>) => ({
  action: "USER_LOGIN",
  actorId: null,
  actorRole: null,
  entityType: "user",
  entityId: null,
  metadata: null,
  ...overrides,
});

describe("describeAuditRow", () => {
  it("has words for every audited action", () => {
    for (const action of AUDIT_ACTIONS) {
      expect(describesAction(action), action).toBe(true);
      const { sentence } = describeAuditRow(
        row({
          action,
          actorId: "mia",
          actorRole: "MODERATOR",
          entityType: "license",
          entityId: "lic123456789",
        }),
        people,
      );
      expect(sentence, action).toMatch(/^Moderator Mia Chen [a-z].*\.$/);
      expect(sentence, action).not.toContain(action);
      expect(sentence, action).not.toContain("undefined");
    }
  });

  it("says who did what to whose record", () => {
    const approved = describeAuditRow(
      row({
        action: "RESET_APPROVED",
        actorId: "mia",
        actorRole: "MODERATOR",
        entityType: "reset_request",
        entityId: "rr1",
        ownerId: "sam",
      }),
      people,
    );
    expect(approved.sentence).toBe("Moderator Mia Chen approved the reset request of Sam Lee.");
    expect(approved.entityHref).toBe("/admin/reset-requests/rr1");
    expect(approved.actorHref).toBe("/admin/users/mia");

    expect(
      describeAuditRow(
        row({ action: "USER_LOGIN", actorId: "sam", actorRole: "USER", entityId: "sam" }),
        people,
      ).sentence,
    ).toBe("Sam Lee logged in.");
    expect(
      describeAuditRow(
        row({
          action: "ACCOUNT_LOCKED",
          entityId: "sam",
          metadata: { reason: "too-many-failed-logins" },
        }),
        people,
      ).sentence,
    ).toBe("The system locked the account of Sam Lee (too-many-failed-logins).");
    expect(
      describeAuditRow(
        row({
          action: "LICENSE_KEY_REVEALED",
          actorId: "sam",
          actorRole: "USER",
          entityType: "license",
          entityId: "l1",
          ownerId: "sam",
        }),
        people,
      ).sentence,
    ).toBe("Sam Lee revealed the key of their license.");
  });

  it("shows a deleted or unknown account as a short id", () => {
    const deleted = describeAuditRow(
      row({
        action: "ACCOUNT_BANNED",
        actorId: "gone",
        actorRole: "ADMIN",
        entityId: "unknownuser123",
      }),
      people,
    );
    expect(deleted.sentence).toBe("Admin user gone banned the account of user unknownu.");
  });

  it("lists metadata as labels and readable values, ids linked, never JSON", () => {
    const { details } = describeAuditRow(
      row({
        action: "SETTINGS_CHANGED",
        actorId: "mia",
        entityId: "sam",
        metadata: {
          field: "role",
          from: "USER",
          to: "MODERATOR",
          lockedUntil: "2026-11-30T19:52:00.000Z",
          startDate: "2026-12-01",
          licenseId: "lic1",
          userId: "sam",
          enabled: false,
          before: { scope: "Logo", features: ["a", "b"] },
        },
      }),
      people,
    );
    expect(details).toEqual([
      { label: "Field", text: "role" },
      { label: "From", text: "USER" },
      { label: "To", text: "MODERATOR" },
      { label: "Locked until", text: "30 Nov 2026, 19:52 UTC", iso: "2026-11-30T19:52:00.000Z" },
      { label: "Start date", text: "1 Dec 2026" },
      { label: "License id", text: "lic1", href: "/admin/licenses/lic1" },
      { label: "User id", text: "Sam Lee", href: "/admin/users/sam" },
      { label: "Enabled", text: "no" },
      { label: "Before — scope", text: "Logo" },
      { label: "Before — features", text: "a, b" },
    ]);
  });

  it("collects the people a page names for one lookup", () => {
    expect(
      peopleOf([
        row({ actorId: "mia", entityType: "user", entityId: "sam" }),
        row({ entityType: "device_session", entityId: "d1", metadata: { userId: "ann" } }),
        row({ entityType: "license", entityId: "l1", ownerId: "bob" }),
      ]).sort(),
    ).toEqual(["ann", "bob", "mia", "sam"]);
    expect(metadataLabel("failuresInWindow")).toBe("Failures in window");
  });
});
