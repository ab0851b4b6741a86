import { describe, expect, it } from "vitest";
import { fileListingKey, manifestKey, tableObjectKey } from "~/domain/backups/keys";
import {
  BACKUP_FORMAT,
  manifestTotals,
  migrationNumber,
  parseManifest,
  type BackupManifest,
} from "~/domain/backups/manifest";
import { partOfTable, triggerFromCli } from "~/domain/backups/parts";
import { checkRestoreTarget, type TargetDatabase } from "~/domain/backups/restore-checks";

const SHA = "a".repeat(64);

function manifest(overrides: Partial<BackupManifest> = {}): BackupManifest {
  const tables: BackupManifest["tables"] = [
    {
      name: "users",
      part: "database",
      columns: ["id", "email"],
      rows: 3,
      bytes: 120,
      objects: [{ key: tableObjectKey("b1", "users", 1), rows: 3, bytes: 120, sha256: SHA }],
    },
    {
      name: "audit_logs",
      part: "audit-logs",
      columns: ["id", "action"],
      rows: 5,
      bytes: 300,
      objects: [
        { key: tableObjectKey("b1", "audit_logs", 1), rows: 4, bytes: 200, sha256: SHA },
        { key: tableObjectKey("b1", "audit_logs", 2), rows: 1, bytes: 100, sha256: SHA },
      ],
    },
  ];
  return {
    format: BACKUP_FORMAT,
    backupId: "b1",
    trigger: "SCHEDULED",
    createdAt: "2026-11-30T03:30:00.000Z",
    completedAt: "2026-11-30T03:30:05.000Z",
    schema: { version: 4, migration: "0004_download_resume_records" },
    includes: { database: true, config: false, "audit-logs": true, files: false },
    tables,
    files: null,
    config: null,
    totals: manifestTotals(tables, null),
    ...overrides,
  };
}

describe("keys", () => {
  it("keeps a backup under backups/<id>/, one object per table segment", () => {
    expect(tableObjectKey("b1", "users", 1)).toBe("backups/b1/users.ndjson.gz");
    expect(tableObjectKey("b1", "audit_logs", 2)).toBe("backups/b1/audit_logs.2.ndjson.gz");
    expect(manifestKey("b1")).toBe("backups/b1/manifest.json");
    expect(fileListingKey("b1")).toBe("backups/b1/files.ndjson.gz");
  });
});

describe("parts", () => {
  it("files feature flags under config and the audit tables under audit-logs", () => {
    expect(partOfTable("feature_flags")).toBe("config");
    expect(partOfTable("audit_logs")).toBe("audit-logs");
    expect(partOfTable("audit_log_archives")).toBe("audit-logs");
    expect(partOfTable("users")).toBe("database");
  });

  it("reads the CLI's trigger spelling", () => {
    expect(triggerFromCli("pre-deployment")).toBe("PRE_DEPLOYMENT");
    expect(triggerFromCli("manual")).toBe("MANUAL");
    expect(triggerFromCli("weekly")).toBeNull();
  });
});

describe("the manifest", () => {
  it("totals tables, rows, objects and bytes", () => {
    expect(manifest().totals).toEqual({ tables: 2, rows: 8, objects: 3, bytes: 420 });
  });

  it("parses what a backup writes", () => {
    const parsed = parseManifest(JSON.stringify(manifest()));
    expect(parsed).toMatchObject({ ok: true, manifest: manifest() });
  });

  it("refuses a manifest that is not JSON, of another shape, or whose counts do not add up", () => {
    expect(parseManifest("{not json")).toMatchObject({ ok: false, reason: "manifest-unreadable" });
    expect(parseManifest(JSON.stringify({ ...manifest(), format: 2 }))).toMatchObject({
      ok: false,
      reason: "manifest-unreadable",
    });
    const bad = manifest();
    bad.tables[0]!.objects[0]!.sha256 = "not a hash";
    expect(parseManifest(JSON.stringify(bad))).toMatchObject({ ok: false });
    const lying = manifest();
    lying.tables[1]!.rows = 6;
    expect(parseManifest(JSON.stringify(lying))).toMatchObject({
      ok: false,
      message: expect.stringContaining("do not add up"),
    });
  });

  it("reads the schema version from the migration's number", () => {
    expect(migrationNumber("0004_download_resume_records")).toBe(4);
    expect(migrationNumber("0012_more")).toBe(12);
    expect(migrationNumber(null)).toBe(0);
  });
});

describe("checkRestoreTarget", () => {
  const target = (overrides: Partial<TargetDatabase> = {}): TargetDatabase => ({
    version: 4,
    migration: "0004_download_resume_records",
    tables: new Map([
      [
        "users",
        [
          { name: "id", required: false },
          { name: "email", required: true },
          { name: "nickname", required: false },
        ],
      ],
      [
        "audit_logs",
        [
          { name: "id", required: false },
          { name: "action", required: true },
        ],
      ],
    ]),
    nonEmpty: [],
    ...overrides,
  });

  it("accepts an empty database at the same or a later schema version", () => {
    expect(checkRestoreTarget(manifest(), target(), { requireEmpty: true })).toEqual({ ok: true });
    expect(checkRestoreTarget(manifest(), target({ version: 5 }), { requireEmpty: true })).toEqual({
      ok: true,
    });
  });

  it("refuses a backup of a newer schema", () => {
    expect(
      checkRestoreTarget(manifest(), target({ version: 3 }), { requireEmpty: true }),
    ).toMatchObject({ ok: false, reason: "newer-schema", kind: "conflict" });
  });

  it("refuses a target without a table or column of the backup, or with a column it can't fill", () => {
    const noAudit = target();
    (noAudit.tables as Map<string, unknown>).delete("audit_logs");
    expect(checkRestoreTarget(manifest(), noAudit, { requireEmpty: true })).toMatchObject({
      ok: false,
      reason: "schema-mismatch",
      message: expect.stringContaining("audit_logs does not exist"),
    });
    const required = target();
    (required.tables as Map<string, unknown>).set("users", [
      { name: "id", required: false },
      { name: "email", required: true },
      { name: "plan", required: true },
    ]);
    expect(checkRestoreTarget(manifest(), required, { requireEmpty: true })).toMatchObject({
      ok: false,
      reason: "schema-mismatch",
      message: expect.stringContaining("users.plan is required"),
    });
  });

  it("refuses a database that holds rows, unless it is a dry run", () => {
    const full = target({ nonEmpty: ["users"] });
    expect(checkRestoreTarget(manifest(), full, { requireEmpty: true })).toMatchObject({
      ok: false,
      reason: "not-empty",
    });
    expect(checkRestoreTarget(manifest(), full, { requireEmpty: false })).toEqual({ ok: true });
  });
});
