import { describe, expect, it } from "vitest";
import {
  auditHistoryHref,
  dateWindow,
  dayStartMs,
  matchesAuditFilters,
  parseAuditSearch,
  requestedArchiveDay,
} from "~/domain/audit/filters";
import { archiveKey, dayOf, retentionCutoff } from "~/domain/audit/archive";
import { csvCell } from "~/services/audit-viewer.server";

const parse = (query: string) => parseAuditSearch(new URLSearchParams(query));

describe("parseAuditSearch", () => {
  it("reads every filter, trimmed and normalised; empty fields mean no filter", () => {
    expect(
      parse(
        "actor=%20Mia%40Example.com&action=reset_approved&entity=license&entityId=abc123&ipHash=ABCDEF12&from=2026-01-01&to=2026-01-31&cursor=xyz&format=csv",
      ),
    ).toEqual({
      ok: true,
      filters: {
        actor: "mia@example.com",
        action: "RESET_APPROVED",
        entity: "license",
        entityId: "abc123",
        ipHash: "abcdef12",
        from: "2026-01-01",
        to: "2026-01-31",
      },
      cursor: "xyz",
      values: {
        actor: "Mia@Example.com",
        action: "reset_approved",
        entity: "license",
        entityId: "abc123",
        ipHash: "ABCDEF12",
        from: "2026-01-01",
        to: "2026-01-31",
      },
    });
    expect(parse("actor=&action=&from=")).toMatchObject({ ok: true, filters: {}, cursor: null });
  });

  it("names each bad value instead of dropping it", () => {
    const result = parse(
      "actor=nobody&action=NOT_AN_ACTION&entity=planet&entityId=a%20b&ipHash=xyz&from=2026-02-30&archive=yesterday",
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && Object.keys(result.errors).sort()).toEqual(
      ["action", "actor", "archive", "entity", "entityId", "from", "ipHash"].sort(),
    );
    expect(parse("from=2026-03-02&to=2026-03-01")).toMatchObject({
      ok: false,
      errors: { to: "The end date is before the start date." },
    });
  });
});

describe("dates and days", () => {
  it("knows real days and their windows", () => {
    expect(dayStartMs("2024-02-29")).toBe(Date.UTC(2024, 1, 29));
    expect(dayStartMs("2023-02-29")).toBeNull();
    expect(dayStartMs("2023-2-1")).toBeNull();
    expect(dateWindow({ from: "2026-01-01", to: "2026-01-01" })).toEqual({
      start: Date.UTC(2026, 0, 1),
      end: Date.UTC(2026, 0, 2),
    });
    expect(requestedArchiveDay({ from: "2026-01-01", to: "2026-01-01" })).toBe("2026-01-01");
    expect(requestedArchiveDay({ from: "2026-01-01", to: "2026-01-02" })).toBeNull();
    expect(requestedArchiveDay({ archive: "2025-05-05" })).toBe("2025-05-05");
  });

  it("archives whole UTC days before the retention window", () => {
    const now = new Date(Date.UTC(2026, 6, 15, 3, 30));
    expect(retentionCutoff(now, 180)).toBe(Date.UTC(2026, 6, 15) - 180 * 86_400_000);
    expect(dayOf(Date.UTC(2026, 0, 9, 23, 59))).toEqual({
      day: "2026-01-09",
      start: Date.UTC(2026, 0, 9),
      end: Date.UTC(2026, 0, 10),
    });
    expect(archiveKey("2026-01-09")).toBe("audit/2026/01/09.ndjson.gz");
  });
});

describe("matchesAuditFilters", () => {
  const row = {
    actorId: "mia",
    action: "RESET_APPROVED",
    entityType: "reset_request",
    entityId: "rr1",
    ipHash: "abcdef0123",
    createdAt: Date.UTC(2026, 0, 1, 12),
  };
  it("applies the same filters in memory", () => {
    expect(matchesAuditFilters(row, {}, undefined)).toBe(true);
    expect(matchesAuditFilters(row, { action: "RESET_APPROVED", ipHash: "abcdef" }, "mia")).toBe(
      true,
    );
    expect(matchesAuditFilters(row, {}, "sam")).toBe(false);
    expect(matchesAuditFilters(row, { entity: "license" }, undefined)).toBe(false);
    expect(matchesAuditFilters(row, { entityId: "rr2" }, undefined)).toBe(false);
    expect(matchesAuditFilters(row, { ipHash: "abcdef9" }, undefined)).toBe(false);
    expect(matchesAuditFilters(row, { from: "2026-01-02" }, undefined)).toBe(false);
    expect(matchesAuditFilters(row, { to: "2025-12-31" }, undefined)).toBe(false);
  });

  it("links a record to its history", () => {
    expect(auditHistoryHref({ entity: "license", entityId: "l1" })).toBe(
      "/admin/audit?entity=license&entityId=l1",
    );
    expect(auditHistoryHref({ actor: "mia@example.com" })).toBe(
      "/admin/audit?actor=mia%40example.com",
    );
  });
});

describe("CSV cells", () => {
  it("quotes what needs quoting and defuses spreadsheet formulas", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell(null)).toBe("");
    expect(csvCell('say "hi", then\nleave')).toBe('"say ""hi"", then\nleave"');
    for (const start of ["=", "+", "-", "@", "\t", "\r"]) {
      expect(csvCell(`${start}1+1`).replace(/^"/, "")).toMatch(/^'/);
    }
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
  });
});
