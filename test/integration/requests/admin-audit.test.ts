import { env } from "cloudflare:test";
import { SELF } from "../../helpers/worker";
import { createId } from "@paralleldrive/cuid2";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { auditLogArchives, auditLogs, type NewAuditLog, type UserRole } from "#db/schema";
import { archiveKey } from "~/domain/audit/archive";
import { parseEnv } from "~/lib/env.server";
import type { ArchivedAuditRow } from "~/services/audit-archive.server";
import { CSV_COLUMNS } from "~/services/audit-viewer.server";
import { GzipNdjsonWriter } from "~/services/gzip-ndjson.server";
import { createUser } from "../../factories";
import { ORIGIN, sessionCookieFor } from "../../helpers/session";

/**
 * `/admin/audit` through the built Worker (issue 12 §2): every filter returns exactly the rows
 * it should, page after page; the CSV export streams the same rows, escaped; an archived day
 * is read back from R2; roles without audit:read are refused. The seeded rows live in March
 * 2001 (and an archived day in 1985), where no other test writes.
 */

const db = createDb(env.DB);
const appEnv = parseEnv(env);
const T0 = Date.UTC(2001, 2, 1, 12);
const HOUR = 3_600_000;

async function staff(role: UserRole) {
  const user = await createUser(
    db,
    role === "USER" ? { role } : { role, twoFactorSecret: "JBSWY3DPEHPK3PXP" },
    { encryptionKeys: appEnv.encryptionKeys },
  );
  return sessionCookieFor(user.id, { twoFactorVerified: role !== "USER" });
}

const get = (path: string, cookie: string) =>
  SELF.fetch(`${ORIGIN}${path}`, { redirect: "manual", headers: { Cookie: cookie } });

/** The ids of the rows a page lists, and its next-page link. */
async function listed(path: string, cookie: string) {
  const response = await get(path, cookie);
  const html = await response.text();
  const ids = [...html.matchAll(/data-audit-id="([^"]+)"/g)].map((match) => match[1]!);
  const nextLink = /<a [^>]*rel="next"[^>]*>/.exec(html)?.[0];
  const next = nextLink && /href="([^"]+)"/.exec(nextLink)?.[1]?.replaceAll("&amp;", "&");
  return { status: response.status, html: html.replaceAll("<!-- -->", ""), ids, next };
}

/** Every row a filtered search lists, following the next-page links. */
async function allListed(query: string, cookie: string) {
  const ids: string[] = [];
  let path: string | undefined = `/admin/audit?${query}`;
  for (let pages = 0; path && pages < 20; pages++) {
    const page = await listed(path, cookie);
    expect(page.status, path).toBe(200);
    ids.push(...page.ids);
    path = page.next;
  }
  return ids;
}

/** RFC 4180, enough for the export: quoted cells with doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      row.push(cell);
      cell = "";
    } else if (char === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += char;
  }
  return rows;
}

let moderator: string;
let actor: { id: string; email: string };
let seeded: Array<NewAuditLog & { id: string; createdAt: Date }>;
const ENTITY_ID = `lic${createId().slice(0, 10)}`;
const IP = `${createId()
  .slice(0, 4)
  .replace(/[^a-f0-9]/g, "a")}beef`.padEnd(64, "0");

const expectIds = (ids: string[], want: (row: (typeof seeded)[number]) => boolean) =>
  expect([...ids].sort()).toEqual(
    seeded
      .filter(want)
      .map((row) => row.id)
      .sort(),
  );

beforeAll(async () => {
  moderator = await staff("MODERATOR");
  const person = await createUser(db, { name: "=SUM(A1) Sam", role: "USER" });
  actor = { id: person.id, email: person.email };
  // 40 rows over a day and a half: actions, entities, actors and IPs alternate.
  seeded = Array.from({ length: 40 }, (_, n) => ({
    id: `seed${String(n).padStart(3, "0")}${createId().slice(0, 6)}`,
    actorId: n % 4 === 0 ? person.id : null,
    actorRole: n % 4 === 0 ? ("USER" as const) : null,
    action: n % 3 === 0 ? "LICENSE_SUSPENDED" : "DOWNLOAD_FAILED",
    entityType: n % 5 === 0 ? "license" : "download",
    entityId: n % 5 === 0 && n % 2 === 0 ? ENTITY_ID : `other${n}`,
    ipHash: n % 6 === 0 ? IP : null,
    requestId: n === 7 ? "@import" : `rq${n}`,
    metadata:
      n === 7 ? { note: 'Said "hi", then left,\nfor good', reason: '=HYPERLINK("x")' } : { n },
    createdAt: new Date(T0 + n * HOUR),
  }));
  // D1 takes at most 100 bound parameters per statement: eight rows at a time.
  for (let at = 0; at < seeded.length; at += 8) {
    await db.insert(auditLogs).values(seeded.slice(at, at + 8));
  }
});

const WINDOW = "from=2001-03-01&to=2001-03-02";

describe("/admin/audit filters", () => {
  it("lists exactly the rows of a date range, newest first, across pages", async () => {
    const ids = await allListed(WINDOW, moderator);
    expect(ids).toEqual(
      [...seeded]
        .filter((row) => row.createdAt.getTime() < Date.UTC(2001, 2, 3))
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
        .map((row) => row.id),
    );
    expect(ids.length).toBe(36);
    const oneDay = await allListed("from=2001-03-02&to=2001-03-02", moderator);
    expectIds(
      oneDay,
      (row) =>
        row.createdAt.getTime() >= Date.UTC(2001, 2, 2) &&
        row.createdAt.getTime() < Date.UTC(2001, 2, 3),
    );
  });

  it("filters by actor email, action, entity, entity id and IP hash", async () => {
    expectIds(
      await allListed(`actor=${encodeURIComponent(actor.email)}`, moderator),
      (row) => row.actorId === actor.id,
    );
    expectIds(
      await allListed(`action=LICENSE_SUSPENDED&${WINDOW}`, moderator),
      (row) => row.action === "LICENSE_SUSPENDED" && row.createdAt.getTime() < Date.UTC(2001, 2, 3),
    );
    expectIds(
      await allListed("entity=license&from=2001-03-01&to=2001-03-04", moderator),
      (row) => row.entityType === "license",
    );
    expectIds(
      await allListed(`entity=license&entityId=${ENTITY_ID}`, moderator),
      (row) => row.entityId === ENTITY_ID,
    );
    expectIds(await allListed(`ipHash=${IP.slice(0, 12)}`, moderator), (row) => row.ipHash === IP);
    // The whole hash, as a row's "IP …" link sends it: D1 refuses LIKE patterns over 50 bytes.
    expectIds(await allListed(`ipHash=${IP}`, moderator), (row) => row.ipHash === IP);
  });

  it("describes rows in words, metadata as a list", async () => {
    const page = await listed(`/admin/audit?entity=download&entityId=other7`, moderator);
    expect(page.html).toContain("was refused a download of download other7");
    expect(page.html).toContain("<dt>Note</dt>");
    expect(page.html).not.toContain("{&quot;note");
    const byActor = await listed(
      `/admin/audit?actor=${encodeURIComponent(actor.email)}&entityId=${ENTITY_ID}`,
      moderator,
    );
    expect(byActor.html).toContain("=SUM(A1) Sam suspended license");
  });

  it("shows bad filters inline, with no rows and no 500", async () => {
    for (const [query, message] of [
      ["from=2001-13-01", "Enter a date as YYYY-MM-DD."],
      ["from=2001-03-05&to=2001-03-01", "The end date is before the start date."],
      ["action=NOT_AN_ACTION", "Choose an action from the list."],
      ["actor=nobody-here%40example.test", "No account uses this email address."],
      ["archive=2001-03-01", "This day is not archived."],
    ] as const) {
      const page = await listed(`/admin/audit?${query}`, moderator);
      expect(page.status, query).toBe(400);
      expect(page.html, query).toContain(message);
      expect(page.ids, query).toEqual([]);
    }
  });
});

describe("/admin/audit CSV", () => {
  it("streams exactly the matching rows, escaped, and audits the export", async () => {
    const redirect = await get(`/admin/audit?${WINDOW}&format=csv`, moderator);
    expect(redirect.status).toBe(302);
    const location = redirect.headers.get("Location")!;
    expect(location).toBe(`/admin/audit/export?${WINDOW}`);
    const response = await get(location, moderator);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("Content-Disposition")).toMatch(
      /^attachment; filename="audit-log-/,
    );
    const [header, ...rows] = parseCsv(await response.text());
    expect(header).toEqual([...CSV_COLUMNS]);
    const column = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
    expect(rows.map((row) => row[column("time")])).toEqual(
      [...seeded]
        .filter((row) => row.createdAt.getTime() < Date.UTC(2001, 2, 3))
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
        .map((row) => row.createdAt.toISOString()),
    );
    expectIds(
      rows.map(
        (row) =>
          seeded.find((seed) => seed.requestId === row[column("request_id")]?.replace(/^'/, ""))!
            .id,
      ),
      (row) => row.createdAt.getTime() < Date.UTC(2001, 2, 3),
    );
    const tricky = rows.find((row) => row[column("request_id")] === "'@import")!;
    expect(tricky).toBeDefined();
    expect(JSON.parse(tricky[column("metadata")]!)).toEqual(seeded[7]!.metadata);
    const byPerson = rows.find((row) => row[column("actor_id")] === actor.id)!;
    expect(byPerson[column("sentence")]).toMatch(/^'=SUM\(A1\) Sam /);
    expect(byPerson[column("actor_email")]).toBe(actor.email);

    const exports = await db
      .select({ metadata: auditLogs.metadata })
      .from(auditLogs)
      .where(eq(auditLogs.action, "AUDIT_EXPORTED"));
    expect(exports).toContainEqual({
      metadata: { format: "csv", filters: { from: "2001-03-01", to: "2001-03-02" } },
    });
  });
});

describe("/admin/audit archived days", () => {
  it("reads an archived day back from R2 with the same filters", async () => {
    // The day is put in the archive directly (the archive job has its own test): rows in
    // audit_logs this old would be archived by that test's runs too, in parallel.
    const day = Date.UTC(1985, 5, 1);
    const old: ArchivedAuditRow[] = Array.from({ length: 6 }, (_, n) => ({
      id: `old${n}${createId().slice(0, 8)}`,
      actor_id: null,
      actor_role: null,
      action: n % 2 ? "RESET_APPROVED" : "RESET_REJECTED",
      entity_type: "reset_request",
      entity_id: `rr${n}`,
      ip_hash: null,
      user_agent: null,
      request_id: null,
      metadata: JSON.stringify({ n }),
      created_at: day + n * HOUR,
    }));
    const writer = new GzipNdjsonWriter(env.FILES, archiveKey("1985-06-01"));
    await writer.write(old);
    const written = await writer.close();
    await db.insert(auditLogArchives).values({
      rangeStart: new Date(day),
      rangeEnd: new Date(day + 24 * HOUR),
      storageKey: archiveKey("1985-06-01"),
      rowCount: old.length,
      sha256: written.sha256,
      verifiedAt: new Date(),
    });

    const all = await listed("/admin/audit?archive=1985-06-01", moderator);
    expect(all.status).toBe(200);
    expect(all.html).toContain("Archived day — read from the archive");
    expect(all.ids).toEqual(old.map((row) => row.id));
    const approved = await listed(
      "/admin/audit?from=1985-06-01&to=1985-06-01&action=RESET_APPROVED",
      moderator,
    );
    expect(approved.html).toContain("Archived day — read from the archive");
    expect(approved.ids).toEqual(
      old.filter((row) => row.action === "RESET_APPROVED").map((row) => row.id),
    );
    // The list of archived days offers it.
    expect(all.html).toMatch(/<option value="1985-06-01"[^>]*>1 Jun 1985 \(6 rows\)<\/option>/);
  });
});

describe("/admin/audit access", () => {
  it("refuses roles without audit:read, the page and the export alike", async () => {
    for (const role of ["USER", "VIEWER", "EDITOR"] as const) {
      const cookie = await staff(role);
      expect((await get("/admin/audit", cookie)).status, role).toBe(403);
      expect((await get("/admin/audit/export", cookie)).status, role).toBe(403);
    }
    expect((await get("/admin/audit", moderator)).status).toBe(200);
  });
});

describe("/admin/audit links", () => {
  it("links a row's records only where the viewer's role may open them", async () => {
    const productId = `prod${createId().slice(0, 10)}`;
    const rowId = `links${createId().slice(0, 10)}`;
    await db.insert(auditLogs).values({
      id: rowId,
      actorId: null,
      actorRole: null,
      action: "PRODUCT_UPDATED",
      entityType: "product",
      entityId: productId,
      metadata: { productId },
      createdAt: new Date(Date.UTC(2001, 4, 1, 12)),
    });
    const query = "/admin/audit?from=2001-05-01&to=2001-05-01";
    const productLink = `href="/admin/products/${productId}"`;
    // A moderator reads the audit log but cannot open products (a 403): no link, the words stay.
    const forModerator = await listed(query, moderator);
    expect(forModerator.ids).toEqual([rowId]);
    expect(forModerator.html).not.toContain(productLink);
    expect(forModerator.html).toContain(productId.slice(0, 8));
    // An admin opens products: the row links the product, from its sentence and its details.
    const forAdmin = await listed(query, await staff("ADMIN"));
    expect(forAdmin.html.split(productLink).length - 1).toBe(2);
    const product = await get(`/admin/products/${productId}`, moderator);
    expect(product.status).toBe(403);
  });
});
