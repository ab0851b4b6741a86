import { describe, expect, it } from "vitest";
import {
  ACCOUNT_STATUSES,
  EMAIL_STATUSES,
  LICENSE_STATUSES,
  MEMBERSHIP_STATUSES,
  MEMBERSHIP_TIERS,
  PRODUCT_STATUSES,
  PURCHASE_STATUSES,
  RESET_REQUEST_STATUSES,
  USER_ROLES,
} from "#db/schema/enums";
import {
  ACCOUNT_STATUS_LABELS,
  EMAIL_STATUS_LABELS,
  LICENSE_ABUSE_FILTER_LABELS,
  LICENSE_STATUS_LABELS,
  MEMBERSHIP_STATUS_LABELS,
  MEMBERSHIP_TIER_LABELS,
  PRODUCT_STATUS_LABELS,
  PURCHASE_STATUS_LABELS,
  RESET_REQUEST_STATUS_LABELS,
  USER_ROLE_LABELS,
  labelOf,
  sentenceCase,
} from "~/domain/labels";
import { LICENSE_ABUSE_FILTERS } from "~/domain/licenses/status-intents";

const MAPS = [
  ["user roles", USER_ROLES, USER_ROLE_LABELS],
  ["account statuses", ACCOUNT_STATUSES, ACCOUNT_STATUS_LABELS],
  ["product statuses", PRODUCT_STATUSES, PRODUCT_STATUS_LABELS],
  ["license statuses", LICENSE_STATUSES, LICENSE_STATUS_LABELS],
  ["license abuse filters", LICENSE_ABUSE_FILTERS, LICENSE_ABUSE_FILTER_LABELS],
  ["purchase statuses", PURCHASE_STATUSES, PURCHASE_STATUS_LABELS],
  ["reset request statuses", RESET_REQUEST_STATUSES, RESET_REQUEST_STATUS_LABELS],
  ["email statuses", EMAIL_STATUSES, EMAIL_STATUS_LABELS],
  ["membership tiers", MEMBERSHIP_TIERS, MEMBERSHIP_TIER_LABELS],
  ["membership statuses", MEMBERSHIP_STATUSES, MEMBERSHIP_STATUS_LABELS],
] as const;

describe("enum labels", () => {
  it.each(MAPS)("words every one of the %s, never the stored name", (_, values, labels) => {
    const map = labels as Readonly<Record<string, string>>;
    expect(Object.keys(map).sort()).toEqual([...values].sort());
    for (const value of values) {
      const label = map[value]!;
      expect(label).not.toBe(value);
      expect(label).not.toMatch(/_/);
      expect(label).toMatch(/^[A-Z][a-z]/);
    }
  });

  it("reads the issue's example in words", () => {
    expect(MEMBERSHIP_TIER_LABELS.BASIC_ACCESS).toBe("Basic access");
    expect(labelOf(undefined, "basic_access")).toBe("Basic access");
    expect(labelOf(MEMBERSHIP_STATUS_LABELS, "PAST_DUE")).toBe("Past due");
  });

  it("falls back to sentence case for values without a map", () => {
    expect(sentenceCase("TWO_FACTOR_ENABLED")).toBe("Two factor enabled");
    expect(sentenceCase("device_session")).toBe("Device session");
    expect(labelOf({ A: "Apple" }, "B_C")).toBe("B c");
  });
});
