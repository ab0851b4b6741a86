import { env } from "cloudflare:test";
import { getTableConfig, type SQLiteTable } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import * as schema from "#db/schema";
import { createMembership, createProject, createUser } from "../factories";

const BRIEF_TABLES = [
  "users",
  "digital_products",
  "digital_product_purchases",
  "licenses",
  "downloads",
  "download_reset_requests",
  "service_projects",
  "project_phase_history",
  "service_add_ons",
  "memberships",
  "credit_transactions",
  "audit_logs",
  "device_sessions",
  "feature_flags",
  "system_backups",
];
const ADDED_TABLES = [
  "sessions",
  "payment_events",
  "email_outbox",
  "audit_log_archives",
  "license_activations",
  "rate_limits",
  "membership_checkouts",
  "job_runs",
  "account_tokens",
  // Issue 15: the brief's Membership.users (seats), their invitations, renewal invoices.
  "membership_members",
  "membership_invitations",
  "membership_invoices",
];
const TRIGGERS = [
  "credit_transactions_no_update",
  "credit_transactions_no_delete",
  "audit_logs_no_update",
  "audit_logs_delete_only_archived",
  "audit_log_archives_no_delete",
  "audit_logs_no_replace",
  "credit_transactions_no_replace",
  "credit_transactions_idempotent_insert",
  "audit_log_archives_no_update",
  "audit_log_archives_insert_shape",
];

const drizzleTables = Object.values(schema as Record<string, unknown>).filter(
  (value): value is SQLiteTable =>
    typeof value === "object" && value !== null && Symbol.for("drizzle:IsDrizzleTable") in value,
);

async function sqliteObjects(type: "table" | "index" | "trigger") {
  const { results } = await env.DB.prepare(
    "select name, tbl_name as tableName, sql from sqlite_master where type = ? and name not like 'sqlite_%' and name not like '_cf_%' and name <> 'd1_migrations'",
  )
    .bind(type)
    .all<{ name: string; tableName: string; sql: string | null }>();
  return results;
}

describe("database schema", () => {
  it("has all 15 tables of the brief and the tables a real system adds", async () => {
    const tables = (await sqliteObjects("table")).map((table) => table.name).sort();
    expect(tables).toEqual([...BRIEF_TABLES, ...ADDED_TABLES].sort());
  });

  it("maps every Drizzle table to a migrated table", () => {
    const names = drizzleTables.map((table) => getTableConfig(table).name).sort();
    expect(names).toEqual([...BRIEF_TABLES, ...ADDED_TABLES].sort());
  });

  it("has every index and unique constraint the schema declares", async () => {
    const indexes = await sqliteObjects("index");
    for (const table of drizzleTables) {
      const config = getTableConfig(table);
      for (const index of config.indexes) {
        const found = indexes.find((candidate) => candidate.name === index.config.name);
        expect(found, `index ${index.config.name}`).toBeDefined();
        expect(found!.tableName).toBe(config.name);
        expect(
          found!.sql!.startsWith(index.config.unique ? "CREATE UNIQUE INDEX" : "CREATE INDEX"),
        ).toBe(true);
      }
    }
    const declared = drizzleTables.flatMap((table) =>
      getTableConfig(table).indexes.map((index) => index.config.name),
    );
    expect(indexes.map((index) => index.name).sort()).toEqual(declared.sort());
  });

  it("has every CHECK constraint the schema declares, inside its table", async () => {
    const tables = await sqliteObjects("table");
    let checks = 0;
    for (const table of drizzleTables) {
      const config = getTableConfig(table);
      const ddl = tables.find((candidate) => candidate.name === config.name)!.sql!;
      for (const check of config.checks) {
        expect(ddl, `${config.name}.${check.name}`).toContain(`CONSTRAINT "${check.name}" CHECK`);
        checks++;
      }
    }
    const migrated = tables.reduce(
      (sum, table) => sum + (table.sql!.match(/ CHECK\(/g)?.length ?? 0),
      0,
    );
    expect(migrated).toBe(checks);
  });

  it("has every foreign key the schema declares, with its delete rule", async () => {
    for (const table of drizzleTables) {
      const config = getTableConfig(table);
      const { results } = await env.DB.prepare(
        `select "table", "from", "on_delete" from pragma_foreign_key_list(?)`,
      )
        .bind(config.name)
        .all<{ table: string; from: string; on_delete: string }>();
      for (const foreignKey of config.foreignKeys) {
        const reference = foreignKey.reference();
        const column = reference.columns[0]!.name;
        const found = results.find((row) => row.from === column);
        expect(found, `${config.name}.${column}`).toBeDefined();
        expect(found!.table).toBe(getTableConfig(reference.foreignTable).name);
        expect(found!.on_delete.toLowerCase()).toBe(
          (foreignKey.onDelete ?? "no action").toLowerCase(),
        );
      }
    }
  });

  it("has the append-only triggers", async () => {
    const triggers = (await sqliteObjects("trigger")).map((trigger) => trigger.name).sort();
    expect(triggers).toEqual([...TRIGGERS].sort());
  });
});

/** Drizzle wraps D1 errors ("Failed query: …"); the database's own message is the cause. */
async function expectRefused(promise: Promise<unknown>, pattern: RegExp) {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error, "expected the database to refuse the write").toBeInstanceOf(Error);
  const messages = [
    (error as Error).message,
    String((error as Error & { cause?: unknown }).cause ?? ""),
  ];
  expect(messages.join("\n")).toMatch(pattern);
}

describe("the database refuses bad data by itself", () => {
  const db = () => createDb(env.DB);

  it("refuses a role that is not in the enum", async () => {
    await expect(
      env.DB.prepare(
        "insert into users (id, email, name, password_hash, role, created_at, updated_at) values ('u1', 'a@b.test', 'A', 'x', 'SUPERUSER', 0, 0)",
      ).run(),
    ).rejects.toThrow(/CHECK constraint failed: users_role_check/);
  });

  it("refuses an upper-case or malformed email", async () => {
    await expectRefused(
      createUser(db(), { email: "Someone@Example.test" }),
      /users_email_lowercase_check/,
    );
    await expectRefused(
      createUser(db(), { email: "no-at-sign.test" }),
      /users_email_lowercase_check/,
    );
  });

  it("refuses a product with a negative price or a lower-case currency", async () => {
    const base =
      "insert into digital_products (id, slug, name, category, price_personal_cents, currency, created_at, updated_at) values (?, ?, 'P', 'THEME', ?, ?, 0, 0)";
    await expect(env.DB.prepare(base).bind("p1", "p-one", -1, "USD").run()).rejects.toThrow(
      /price_personal_check/,
    );
    await expect(env.DB.prepare(base).bind("p2", "p-two", 100, "usd").run()).rejects.toThrow(
      /currency_check/,
    );
  });

  it("refuses to publish a product without a file", async () => {
    await expect(
      env.DB.prepare(
        "insert into digital_products (id, slug, name, category, status, price_personal_cents, published_at, created_at, updated_at) values ('p3', 'p-three', 'P', 'THEME', 'PUBLISHED', 100, 1, 0, 0)",
      ).run(),
    ).rejects.toThrow(/published_file_check/);
  });

  it("refuses an UPDATE or DELETE of an audit row", async () => {
    await env.DB.prepare(
      "insert into audit_logs (id, action, entity_type, created_at) values ('a1', 'USER_CREATED', 'user', 1000)",
    ).run();
    await expect(
      env.DB.prepare("update audit_logs set action = 'OTHER' where id = 'a1'").run(),
    ).rejects.toThrow(/audit_logs is append-only/);
    await expect(env.DB.prepare("delete from audit_logs where id = 'a1'").run()).rejects.toThrow(
      /only after a verified archive/,
    );
    const row = await env.DB.prepare("select action from audit_logs where id = 'a1'").first<{
      action: string;
    }>();
    expect(row?.action).toBe("USER_CREATED");
  });

  it("lets an audit row go only once a verified archive covers it", async () => {
    const DAY = 86_400_000;
    await env.DB.prepare(
      `insert into audit_logs (id, action, entity_type, created_at) values ('a2', 'USER_LOGIN', 'user', ${DAY + 5000})`,
    ).run();
    await expect(env.DB.prepare("delete from audit_logs where id = 'a2'").run()).rejects.toThrow(
      /verified archive/,
    );
    // The archive job's shape: one verified UTC day, the key of that day, a SHA-256.
    await env.DB.prepare(
      `insert into audit_log_archives (id, range_start, range_end, storage_key, row_count, sha256, verified_at, created_at) values ('arc1', ${DAY}, ${2 * DAY}, 'audit/1970/01/02.ndjson.gz', 1, '${"a".repeat(64)}', 20000, 20000)`,
    ).run();
    await env.DB.prepare("delete from audit_logs where id = 'a2'").run();
    expect(await env.DB.prepare("select id from audit_logs where id = 'a2'").first()).toBeNull();
    await expect(
      env.DB.prepare("delete from audit_log_archives where id = 'arc1'").run(),
    ).rejects.toThrow(/permanent/);
    await expect(
      env.DB.prepare("update audit_log_archives set row_count = 0 where id = 'arc1'").run(),
    ).rejects.toThrow(/append-only/);
  });

  it("refuses a hand-written archive row that would let recent or all history be deleted", async () => {
    const now = Date.now();
    const DAY = 86_400_000;
    const today = Math.floor(now / DAY) * DAY;
    const sha = "b".repeat(64);
    const keyOf = (start: number) =>
      `audit/${new Date(start).toISOString().slice(0, 10).replaceAll("-", "/")}.ndjson.gz`;
    await env.DB.prepare(
      `insert into audit_logs (id, action, entity_type, created_at) values ('recent1', 'USER_LOGIN', 'user', ${now - 1000})`,
    ).run();
    const attempts: Array<[string, number, number, string, number | null, string]> = [
      ["everything", 0, now + DAY, "audit/all.ndjson.gz", now, sha],
      ["today", today, today + DAY, keyOf(today), now, sha],
      ["ten days ago", today - 10 * DAY, today - 9 * DAY, keyOf(today - 10 * DAY), now, sha],
      ["unverified", today - 90 * DAY, today - 89 * DAY, keyOf(today - 90 * DAY), null, sha],
      ["two days", today - 92 * DAY, today - 90 * DAY, keyOf(today - 92 * DAY), now, sha],
      ["wrong key", today - 95 * DAY, today - 94 * DAY, "audit/elsewhere.ndjson.gz", now, sha],
      ["no hash", today - 96 * DAY, today - 95 * DAY, keyOf(today - 96 * DAY), now, "abc"],
    ];
    for (const [name, start, end, key, verifiedAt, hash] of attempts) {
      await expect(
        env.DB.prepare(
          "insert into audit_log_archives (id, range_start, range_end, storage_key, row_count, sha256, verified_at, created_at) values (?, ?, ?, ?, 1, ?, ?, 0)",
        )
          .bind(`evil-${name}`, start, end, key, hash, verifiedAt)
          .run(),
        name,
      ).rejects.toThrow(/written only by the archive job/);
    }
    await expect(env.DB.prepare("delete from audit_logs").run()).rejects.toThrow(
      /verified archive/,
    );
    expect(
      await env.DB.prepare("select id from audit_logs where id = 'recent1'").first(),
    ).not.toBeNull();
  });

  it("never lets REPLACE INTO rewrite an audit row", async () => {
    await env.DB.prepare(
      "insert into audit_logs (id, action, entity_type, created_at) values ('r1', 'USER_LOGIN', 'user', 1000)",
    ).run();
    for (const verb of ["replace into", "insert or replace into"]) {
      await expect(
        env.DB.prepare(
          `${verb} audit_logs (id, action, entity_type, created_at) values ('r1', 'USER_LOGOUT', 'user', 2000)`,
        ).run(),
      ).rejects.toThrow(/never replaced/);
    }
    const row = await env.DB.prepare(
      "select action, created_at from audit_logs where id = 'r1'",
    ).first();
    expect(row).toEqual({ action: "USER_LOGIN", created_at: 1000 });
  });

  it("keeps the credit ledger append-only and never negative", async () => {
    const user = await createUser(db());
    const membership = await createMembership(db(), { userId: user.id, credits: 5 });
    const ledger = await env.DB.prepare(
      "select id from credit_transactions where membership_id = ?",
    )
      .bind(membership.id)
      .first<{ id: string }>();
    await expect(
      env.DB.prepare("update credit_transactions set amount = 500 where id = ?")
        .bind(ledger!.id)
        .run(),
    ).rejects.toThrow(/append-only/);
    await expect(
      env.DB.prepare("delete from credit_transactions where id = ?").bind(ledger!.id).run(),
    ).rejects.toThrow(/append-only/);
    const insertRow = (id: string, type: string, amount: number, balance: number, key: string) =>
      env.DB.prepare(
        "insert into credit_transactions (id, membership_id, user_id, type, amount, balance, description, idempotency_key, created_at) values (?, ?, ?, ?, ?, ?, 'x', ?, 0)",
      )
        .bind(id, membership.id, user.id, type, amount, balance, key)
        .run();
    await expect(insertRow("t1", "USAGE", -6, -1, "k1")).rejects.toThrow(/balance_check/);
    await expect(insertRow("t2", "USAGE", 3, 8, "k2")).rejects.toThrow(/sign_check/);
    await insertRow("t3", "USAGE", -2, 3, "k3");
    // A repeated idempotency key is a no-op (what the ledger's ON CONFLICT DO NOTHING means),
    // so REPLACE INTO with a new id cannot push the original row out either.
    await insertRow("t4", "USAGE", -2, 1, "k3");
    await env.DB.prepare(
      "replace into credit_transactions (id, membership_id, user_id, type, amount, balance, description, idempotency_key, created_at) values ('t5', ?, ?, 'ADJUSTMENT', 100, 105, 'x', 'k3', 0)",
    )
      .bind(membership.id, user.id)
      .run();
    await expect(
      env.DB.prepare(
        "replace into credit_transactions (id, membership_id, user_id, type, amount, balance, description, idempotency_key, created_at) values ('t3', ?, ?, 'ADJUSTMENT', 100, 105, 'x', 'k9', 0)",
      )
        .bind(membership.id, user.id)
        .run(),
    ).rejects.toThrow(/never replaced/);
    const keyed = await env.DB.prepare(
      "select id, amount from credit_transactions where idempotency_key = 'k3' or id in ('t3', 't4', 't5')",
    ).all();
    expect(keyed.results).toEqual([{ id: "t3", amount: -2 }]);
    // A membership cannot spend more than it holds.
    await expect(
      env.DB.prepare("update memberships set used_credits = 6 where id = ?")
        .bind(membership.id)
        .run(),
    ).rejects.toThrow(/memberships_credits_check/);
  });

  it("keeps bought credits inside the balance, and a pause or grace with its dates (issue 15)", async () => {
    const user = await createUser(db());
    const membership = await createMembership(db(), { userId: user.id, credits: 5 });
    const set = (assignments: string) =>
      env.DB.prepare(`update memberships set ${assignments} where id = ?`)
        .bind(membership.id)
        .run();
    await expect(set("paid_credits = 6")).rejects.toThrow(/memberships_paid_credits_check/);
    await expect(set("status = 'PAUSED'")).rejects.toThrow(/memberships_pause_check/);
    await expect(set("paused_at = 1, pause_ends_at = 2")).rejects.toThrow(
      /memberships_pause_check/,
    );
    await expect(set("status = 'PAST_DUE'")).rejects.toThrow(/memberships_grace_check/);
    await expect(set("pending_tier = 'GOLD'")).rejects.toThrow(/memberships_pending_tier_check/);
    await set("status = 'PAUSED', paused_at = 1, pause_ends_at = 2, paid_credits = 5");
    await expect(
      env.DB.prepare(
        "insert into credit_transactions (id, membership_id, user_id, type, amount, balance, paid_balance, description, idempotency_key, created_at) values ('p1', ?, ?, 'TOP_UP', 1, 6, 7, 'x', 'p1', 0)",
      )
        .bind(membership.id, user.id)
        .run(),
    ).rejects.toThrow(/credit_transactions_paid_balance_check/);
    // One seat per user: a user belongs to at most one membership.
    const other = await createUser(db());
    const second = await createMembership(db(), { userId: other.id, credits: 1 });
    await expect(
      env.DB.prepare(
        "insert into membership_members (id, membership_id, user_id, role, created_at, updated_at) values ('s1', ?, ?, 'MEMBER', 0, 0)",
      )
        .bind(second.id, user.id)
        .run(),
    ).rejects.toThrow(/UNIQUE/);
  });

  it("allows one pending reset request per license", async () => {
    await expect(
      env.DB.prepare(
        "select 1 from pragma_index_list('download_reset_requests') where name = 'reset_requests_one_pending_unique' and partial = 1",
      ).first(),
    ).resolves.not.toBeNull();
  });

  it("keeps a paused project's return phase and reason together", async () => {
    const user = await createUser(db());
    const project = await createProject(db(), { clientId: user.id });
    await expect(
      env.DB.prepare("update service_projects set phase = 'PAUSED' where id = ?")
        .bind(project.id)
        .run(),
    ).rejects.toThrow(/service_projects_pause_check/);
    await env.DB.prepare(
      "update service_projects set phase = 'PAUSED', status = 'PAUSED', paused_from_phase = 'DESIGN', pause_reason = 'Waiting for content' where id = ?",
    )
      .bind(project.id)
      .run();
  });

  it("cascades a user's sessions and devices when the user is deleted", async () => {
    const user = await createUser(db());
    await env.DB.batch([
      env.DB.prepare(
        "insert into device_sessions (id, user_id, fingerprint_hash, last_seen_at, created_at, updated_at) values ('d1', ?, 'fp', 0, 0, 0)",
      ).bind(user.id),
      env.DB.prepare(
        "insert into sessions (id, token_hash, user_id, device_session_id, expires_at, last_seen_at, created_at) values ('s1', 'th', ?, 'd1', 1, 0, 0)",
      ).bind(user.id),
    ]);
    await env.DB.prepare("delete from users where id = ?").bind(user.id).run();
    expect(await env.DB.prepare("select id from sessions where id = 's1'").first()).toBeNull();
    expect(
      await env.DB.prepare("select id from device_sessions where id = 'd1'").first(),
    ).toBeNull();
  });

  it("refuses deleting a user whose credit ledger exists", async () => {
    const user = await createUser(db());
    await createMembership(db(), { userId: user.id, credits: 1 });
    await expect(
      env.DB.prepare("delete from users where id = ?").bind(user.id).run(),
    ).rejects.toThrow(/FOREIGN KEY constraint failed|append-only/);
  });
});

describe("the studio's tables keep the brief's vocabulary (issue 11)", () => {
  const db = () => createDb(env.DB);
  const setProject = (projectId: string, assignments: string) =>
    env.DB.prepare(`update service_projects set ${assignments} where id = ?`).bind(projectId).run();

  it("never lets a project's status and phase disagree", async () => {
    const user = await createUser(db());
    const project = await createProject(db(), { clientId: user.id, phase: "BUILD" });
    expect(project.status).toBe("ACTIVE");
    await expect(setProject(project.id, "status = 'PAUSED'")).rejects.toThrow(
      /service_projects_status_phase_check/,
    );
    await expect(setProject(project.id, "status = 'COMPLETED'")).rejects.toThrow(
      /service_projects_status_phase_check/,
    );
    await expect(setProject(project.id, "phase = 'COMPLETED'")).rejects.toThrow(
      /service_projects_status_phase_check/,
    );
    // Cancelled keeps the phase it stopped in, and always says why.
    await expect(setProject(project.id, "status = 'CANCELLED'")).rejects.toThrow(
      /service_projects_status_phase_check/,
    );
    await setProject(
      project.id,
      "status = 'CANCELLED', cancelled_at = 1, cancel_reason = 'Client stopped the work'",
    );
    const row = await env.DB.prepare("select phase, status from service_projects where id = ?")
      .bind(project.id)
      .first();
    expect(row).toEqual({ phase: "BUILD", status: "CANCELLED" });
  });

  it("keeps a request that staff have not accepted in DESIGN", async () => {
    const user = await createUser(db());
    const request = await createProject(db(), { clientId: user.id, acceptedAt: null });
    await expect(setProject(request.id, "phase = 'BUILD'")).rejects.toThrow(
      /service_projects_accepted_check/,
    );
    await expect(
      env.DB.prepare("select count(*) as stints from project_phase_history where project_id = ?")
        .bind(request.id)
        .first(),
    ).resolves.toEqual({ stints: 0 });
  });

  it("stores one category of the brief's ServiceCategory", async () => {
    const user = await createUser(db());
    await expectRefused(
      createProject(db(), { clientId: user.id, category: "WEBSITE" as never }),
      /service_projects_category_check/,
    );
  });

  it("keeps at most one open phase stint per project, never ending before it began", async () => {
    const user = await createUser(db());
    const project = await createProject(db(), { clientId: user.id });
    const open = (id: string, startedAt: number, completedAt: number | null) =>
      env.DB.prepare(
        "insert into project_phase_history (id, project_id, phase, started_at, completed_at) values (?, ?, 'BUILD', ?, ?)",
      )
        .bind(id, project.id, startedAt, completedAt)
        .run();
    await expect(open(`${project.id}-2`, Date.now(), null)).rejects.toThrow(
      /UNIQUE constraint failed/,
    );
    await expect(open(`${project.id}-3`, 2000, 1000)).rejects.toThrow(
      /project_phase_history_dates_check/,
    );
    await open(`${project.id}-4`, 1000, 2000);
  });

  it("has the brief's AddOnStatus; a withdrawal is a REJECTED add-on; only CUSTOM waits for a price", async () => {
    const user = await createUser(db());
    const project = await createProject(db(), { clientId: user.id });
    const insert = (
      id: string,
      type: string,
      status: string,
      cost: number | null,
      withdrawn: number | null,
    ) =>
      env.DB.prepare(
        "insert into service_add_ons (id, project_id, requested_by_id, type, status, credit_cost, withdrawn_at, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, 0, 0)",
      )
        .bind(id, project.id, user.id, type, status, cost, withdrawn)
        .run();
    await expect(insert("ao1", "EXTRA_REVISION", "REQUESTED", 5, null)).rejects.toThrow(
      /service_add_ons_status_check/,
    );
    await expect(insert("ao2", "EXTRA_REVISION", "PENDING", null, null)).rejects.toThrow(
      /service_add_ons_priced_check/,
    );
    await expect(insert("ao3", "CUSTOM", "APPROVED", null, null)).rejects.toThrow(
      /service_add_ons_priced_check/,
    );
    await expect(insert("ao4", "CONTENT_EDIT", "PENDING", 3, 1)).rejects.toThrow(
      /service_add_ons_withdrawn_check/,
    );
    await insert("ao5", "CUSTOM", "PENDING", null, null);
    await insert("ao6", "CONTENT_EDIT", "REJECTED", 3, 1);
    await insert("ao7", "SUPPORT_CALL", "IN_PROGRESS", 4, null);
  });

  it("sells the brief's LICENSE and OTHER product categories", async () => {
    const insert = (id: string, category: string) =>
      env.DB.prepare(
        "insert into digital_products (id, slug, name, category, price_personal_cents, created_at, updated_at) values (?, ?, 'P', ?, 100, 0, 0)",
      )
        .bind(id, id, category)
        .run();
    await insert("studio-license", "LICENSE");
    await insert("studio-other", "OTHER");
    await expect(insert("studio-weapon", "WEAPON")).rejects.toThrow(
      /digital_products_category_check/,
    );
  });
});
