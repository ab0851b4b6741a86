import { env } from "cloudflare:test";
import { SELF } from "../helpers/worker";
import { createId } from "@paralleldrive/cuid2";
import { and, eq, like } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { auditLogs, digitalProducts, type UserRole } from "#db/schema";
import { parseEnv } from "~/lib/env.server";
import { PRODUCT_FIELD_NAMES, type ProductFields } from "~/domain/catalog/product-forms";
import { searchAdminProducts, updateAdminProduct } from "~/services/product-admin.server";
import { createProduct, createUser } from "../factories";
import { ORIGIN, postForm, sessionCookieFor } from "../helpers/session";

/** /admin/products through the built Worker (issue 4, item 1). */

const db = createDb(env.DB);
const appEnv = parseEnv(env);

async function staffCookie(role: UserRole): Promise<{ id: string; cookie: string }> {
  const user = await createUser(
    db,
    { role, twoFactorSecret: "JBSWY3DPEHPK3PXP" },
    { encryptionKeys: appEnv.encryptionKeys },
  );
  return { id: user.id, cookie: await sessionCookieFor(user.id, { twoFactorVerified: true }) };
}

let editor: { id: string; cookie: string };
beforeAll(async () => {
  editor = await staffCookie("EDITOR");
});

function validFields(overrides: Record<string, string> = {}): Record<string, string> {
  const id = createId().slice(0, 10);
  return {
    name: `Admin Kit ${id}`,
    slug: `admin-kit-${id}`,
    tagline: "A kit made in a test.",
    description: "# Hello\n\nMarkdown body.",
    category: "UI_KIT",
    tags: "Dashboard, dark-mode, dashboard",
    pricePersonal: "29.50",
    priceCommercial: "79",
    priceTeam: "",
    currency: "USD",
    teamSeats: "5",
    licenseDurationMonths: "",
    version: "1.0.0",
    changelog: "- First release",
    documentation: "Read me.",
    ...overrides,
  };
}

async function post(path: string, fields: Record<string, string>, cookie = editor.cookie) {
  const request = postForm(path, fields, { cookie });
  return SELF.fetch(`${ORIGIN}${request.path}`, request.init);
}

async function productBySlug(slug: string) {
  const [row] = await db.select().from(digitalProducts).where(eq(digitalProducts.slug, slug));
  return row ?? null;
}

async function productAudit(id: string) {
  return db
    .select()
    .from(auditLogs)
    .where(and(eq(auditLogs.entityType, "product"), eq(auditLogs.entityId, id)))
    .orderBy(auditLogs.createdAt);
}

async function countProducts() {
  return (await db.select({ id: digitalProducts.id }).from(digitalProducts)).length;
}

async function countProductAudit() {
  return (
    await db.select({ id: auditLogs.id }).from(auditLogs).where(eq(auditLogs.entityType, "product"))
  ).length;
}

/** Create through the form; returns the new product's id. */
async function createThroughForm(fields: Record<string, string>): Promise<string> {
  const response = await post("/admin/products/new", fields);
  expect(response.status).toBe(302);
  const match = /^\/admin\/products\/([a-z0-9]+)$/.exec(response.headers.get("Location") ?? "");
  expect(match).not.toBeNull();
  return match![1]!;
}

/** The edit form's fields for a product as it is stored, with changes. */
function editFields(
  row: typeof digitalProducts.$inferSelect,
  changes: Record<string, string> = {},
) {
  return {
    intent: "save",
    name: row.name,
    slug: row.slug,
    tagline: row.tagline,
    description: row.description,
    category: row.category,
    tags: row.tags.join(", "),
    pricePersonal: (row.pricePersonalCents / 100).toFixed(2),
    priceCommercial:
      row.priceCommercialCents === null ? "" : (row.priceCommercialCents / 100).toFixed(2),
    priceTeam: row.priceTeamCents === null ? "" : (row.priceTeamCents / 100).toFixed(2),
    currency: row.currency,
    teamSeats: String(row.teamSeats),
    licenseDurationMonths:
      row.licenseDurationMonths === null ? "" : String(row.licenseDurationMonths),
    version: row.version,
    changelog: row.changelog,
    documentation: row.documentation,
    status: row.status,
    ...(row.featured ? { featured: "on" } : {}),
    ...changes,
  };
}

async function uploadFile(productId: string) {
  return SELF.fetch(`${ORIGIN}/admin/products/${productId}/uploads/file?name=kit.zip`, {
    method: "POST",
    body: new TextEncoder().encode("PK fake zip contents for the test"),
    headers: { Origin: ORIGIN, "Content-Type": "application/zip", Cookie: editor.cookie },
  });
}

describe("creating a product", () => {
  it("creates a draft with prices in cents and a PRODUCT_CREATED audit row", async () => {
    const fields = validFields();
    const productId = await createThroughForm(fields);
    const row = await productBySlug(fields.slug!);
    expect(row).toMatchObject({
      id: productId,
      name: fields.name,
      status: "DRAFT",
      publishedAt: null,
      category: "UI_KIT",
      tags: ["dashboard", "dark-mode"],
      pricePersonalCents: 2950,
      priceCommercialCents: 7900,
      priceTeamCents: null,
      licenseDurationMonths: null,
      createdById: editor.id,
    });
    const audit = await productAudit(productId);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: "PRODUCT_CREATED",
      actorId: editor.id,
      actorRole: "EDITOR",
    });
    expect(
      (audit[0]!.metadata as { fields: { pricePersonalCents: number } }).fields.pricePersonalCents,
    ).toBe(2950);

    const page = await SELF.fetch(`${ORIGIN}/admin/products/${productId}`, {
      headers: { Cookie: editor.cookie },
    });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(fields.name);
    expect(html).toContain("PRODUCT_CREATED");
    expect(html).toContain('value="29.50"');
  });

  it("refuses a bad slug, a duplicate slug and a bad price inline, changing nothing", async () => {
    const taken = validFields();
    await createThroughForm(taken);
    const before = { products: await countProducts(), audit: await countProductAudit() };

    const cases: Array<[Record<string, string>, number, string]> = [
      [validFields({ slug: "Not A Slug!" }), 400, "Use lowercase letters, digits and hyphens"],
      [validFields({ slug: "-leading-hyphen" }), 400, "Use lowercase letters, digits and hyphens"],
      [validFields({ slug: taken.slug! }), 409, "Another product already uses this slug"],
      [validFields({ pricePersonal: "12.345" }), 400, "Enter an amount like 19.99"],
      [validFields({ pricePersonal: "-5" }), 400, "Enter an amount like 19.99"],
      [validFields({ pricePersonal: "" }), 400, "Give the personal license a price"],
      [validFields({ priceTeam: "ten dollars" }), 400, "Enter an amount like 19.99"],
      [validFields({ teamSeats: "1" }), 400, "Team licenses have 2 to 1,000 seats"],
      [validFields({ name: "" }), 400, "Give the product a name"],
    ];
    for (const [fields, status, message] of cases) {
      const response = await post("/admin/products/new", fields);
      expect(response.status, JSON.stringify(fields)).toBe(status);
      const html = await response.text();
      expect(html).toContain(message);
      expect(html).toContain('aria-invalid="true"');
      // What was typed comes back so nothing is lost.
      expect(html).toContain(fields.name === "" ? fields.slug : fields.name);
    }
    expect(await countProducts()).toBe(before.products);
    expect(await countProductAudit()).toBe(before.audit);
  });

  it("prices JPY in whole yen", async () => {
    const fields = validFields({ currency: "JPY", pricePersonal: "3000", priceCommercial: "" });
    await createThroughForm(fields);
    expect((await productBySlug(fields.slug!))?.pricePersonalCents).toBe(3000);
    const refused = await post(
      "/admin/products/new",
      validFields({ currency: "JPY", pricePersonal: "30.5" }),
    );
    expect(refused.status).toBe(400);
  });
});

describe("editing a product", () => {
  it("writes only the changed fields, with their diff in one audit row", async () => {
    const fields = validFields();
    const productId = await createThroughForm(fields);
    const row = (await productBySlug(fields.slug!))!;
    const response = await post(
      `/admin/products/${productId}`,
      editFields(row, {
        name: `${row.name} Pro`,
        pricePersonal: "35",
        priceTeam: "199.00",
        featured: "on",
      }),
    );
    expect(response.status).toBe(302);
    const after = (await productBySlug(fields.slug!))!;
    expect(after).toMatchObject({
      name: `${row.name} Pro`,
      pricePersonalCents: 3500,
      priceTeamCents: 19900,
      featured: true,
      description: row.description,
    });
    const audit = await productAudit(productId);
    expect(audit.map((entry) => entry.action)).toEqual(["PRODUCT_CREATED", "PRODUCT_UPDATED"]);
    expect(audit[1]!.metadata).toEqual({
      changes: {
        name: { from: row.name, to: `${row.name} Pro` },
        pricePersonalCents: { from: 2950, to: 3500 },
        priceTeamCents: { from: null, to: 19900 },
        featured: { from: false, to: true },
      },
    });
  });

  it("writes nothing for a save that changes nothing", async () => {
    const fields = validFields();
    const productId = await createThroughForm(fields);
    const row = (await productBySlug(fields.slug!))!;
    expect((await post(`/admin/products/${productId}`, editFields(row))).status).toBe(302);
    expect(await productBySlug(fields.slug!)).toEqual(row);
    expect(await productAudit(productId)).toHaveLength(1);
  });

  it("refuses invalid input and a slug another product has, changing nothing", async () => {
    const other = validFields();
    await createThroughForm(other);
    const fields = validFields();
    const productId = await createThroughForm(fields);
    const row = (await productBySlug(fields.slug!))!;
    const duplicate = await post(
      `/admin/products/${productId}`,
      editFields(row, { slug: other.slug! }),
    );
    expect(duplicate.status).toBe(409);
    expect(await duplicate.text()).toContain("Another product already uses this slug");
    const badPrice = await post(
      `/admin/products/${productId}`,
      editFields(row, { pricePersonal: "abc" }),
    );
    expect(badPrice.status).toBe(400);
    expect(await productBySlug(fields.slug!)).toEqual(row);
    expect(await productAudit(productId)).toHaveLength(1);
  });

  it("refuses to publish a product without a file, with a clear inline message", async () => {
    const fields = validFields();
    const productId = await createThroughForm(fields);
    const row = (await productBySlug(fields.slug!))!;
    const response = await post(
      `/admin/products/${productId}`,
      editFields(row, { status: "PUBLISHED" }),
    );
    expect(response.status).toBe(409);
    expect(await response.text()).toContain("Upload the product file before publishing");
    expect(await productBySlug(fields.slug!)).toEqual(row);
    expect(await productAudit(productId)).toHaveLength(1);
  });

  it("sets published_at the first time a product is published, and keeps it", async () => {
    const fields = validFields();
    const productId = await createThroughForm(fields);
    expect((await uploadFile(productId)).status).toBe(200);

    let row = (await productBySlug(fields.slug!))!;
    expect(
      (await post(`/admin/products/${productId}`, editFields(row, { status: "PUBLISHED" }))).status,
    ).toBe(302);
    row = (await productBySlug(fields.slug!))!;
    expect(row.status).toBe("PUBLISHED");
    const firstPublished = row.publishedAt;
    expect(firstPublished).toBeInstanceOf(Date);

    // It is in the catalog now.
    const page = await SELF.fetch(`${ORIGIN}/products/${fields.slug}`);
    expect(page.status).toBe(200);

    expect(
      (await post(`/admin/products/${productId}`, editFields(row, { status: "DRAFT" }))).status,
    ).toBe(302);
    row = (await productBySlug(fields.slug!))!;
    expect((await SELF.fetch(`${ORIGIN}/products/${fields.slug}`)).status).toBe(404);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(
      (await post(`/admin/products/${productId}`, editFields(row, { status: "PUBLISHED" }))).status,
    ).toBe(302);
    row = (await productBySlug(fields.slug!))!;
    expect(row.status).toBe("PUBLISHED");
    expect(row.publishedAt).toEqual(firstPublished);

    expect(
      (await post(`/admin/products/${productId}`, editFields(row, { status: "ARCHIVED" }))).status,
    ).toBe(302);
    const actions = (await productAudit(productId)).map((entry) => entry.action);
    expect(actions).toEqual([
      "PRODUCT_CREATED",
      "PRODUCT_FILE_UPLOADED",
      "PRODUCT_PUBLISHED",
      "PRODUCT_UNPUBLISHED",
      "PRODUCT_PUBLISHED",
      "PRODUCT_ARCHIVED",
    ]);
  });

  it("lets one of two parallel saves of the same version win; the other changes nothing", async () => {
    const fields = validFields();
    const productId = await createThroughForm(fields);
    const row = (await productBySlug(fields.slug!))!;
    const responses = await Promise.all([
      post(`/admin/products/${productId}`, editFields(row, { tagline: "First editor" })),
      post(`/admin/products/${productId}`, editFields(row, { tagline: "Second editor" })),
    ]);
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toContain(302);
    const after = (await productBySlug(fields.slug!))!;
    const updates = (await productAudit(productId)).filter(
      (entry) => entry.action === "PRODUCT_UPDATED",
    );
    // Every audit row describes a write that happened, and the last one is what is stored.
    expect(updates).toHaveLength(statuses.filter((status) => status === 302).length);
    expect(
      (updates.at(-1)!.metadata as { changes: { tagline: { to: string } } }).changes.tagline.to,
    ).toBe(after.tagline);
  });
  it("audits only the save that applied when two parallel saves share the same millisecond", async () => {
    // workerd's clock only moves on I/O, so parallel requests can carry the same `now`: the
    // losing save must not borrow the winner's `updated_at` as proof that it applied.
    const fields = validFields();
    const productId = await createThroughForm(fields);
    const row = (await productBySlug(fields.slug!))!;
    const stored = Object.fromEntries(
      PRODUCT_FIELD_NAMES.map((field) => [field, row[field]]),
    ) as unknown as ProductFields;
    const now = new Date(row.updatedAt.getTime() + 1000);
    const save = (tagline: string) =>
      updateAdminProduct(
        { db },
        {
          actor: { id: editor.id, role: "EDITOR" },
          productId,
          fields: { ...stored, tagline },
          now,
          request: {},
        },
      );
    const results = await Promise.all([save("First editor"), save("Second editor")]);
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(
      results.filter((result) => !result.ok && result.reason === "edited-meanwhile"),
    ).toHaveLength(1);
    const after = (await productBySlug(fields.slug!))!;
    const updates = (await productAudit(productId)).filter(
      (entry) => entry.action === "PRODUCT_UPDATED",
    );
    expect(updates).toHaveLength(1);
    expect(
      (updates[0]!.metadata as { changes: { tagline: { to: string } } }).changes.tagline.to,
    ).toBe(after.tagline);
  });
});

describe("the products list", () => {
  it("searches by name, filters by status and pages with a cursor", async () => {
    const marker = `zq${createId().slice(0, 8)}`;
    for (const [i, status] of (["DRAFT", "DRAFT", "PUBLISHED"] as const).entries()) {
      await createProduct(
        { db, files: env.FILES },
        {
          name: `${marker} Product ${i}`,
          status,
          publishedAt: status === "PUBLISHED" ? new Date() : null,
        },
      );
    }
    const page = await SELF.fetch(`${ORIGIN}/admin/products?q=${marker}`, {
      headers: { Cookie: editor.cookie },
    });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html.match(new RegExp(`>${marker} Product \\d</a>`, "g"))).toHaveLength(3);

    const drafts = await SELF.fetch(`${ORIGIN}/admin/products?q=${marker}&status=DRAFT`, {
      headers: { Cookie: editor.cookie },
    });
    expect((await drafts.text()).match(new RegExp(`>${marker} Product \\d</a>`, "g"))).toHaveLength(
      2,
    );

    const first = await searchAdminProducts(db, { q: marker, pageSize: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const second = await searchAdminProducts(db, {
      q: marker,
      pageSize: 2,
      cursor: first.nextCursor!,
    });
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    expect(new Set([...first.items, ...second.items].map((item) => item.id)).size).toBe(3);

    const none = await SELF.fetch(`${ORIGIN}/admin/products?q=nothing-${marker}`, {
      headers: { Cookie: editor.cookie },
    });
    expect(await none.text()).toContain("No products match this search");
    expect(
      await db
        .select({ id: digitalProducts.id })
        .from(digitalProducts)
        .where(like(digitalProducts.name, `${marker}%`)),
    ).toHaveLength(3);
  });

  it("shows the Products link in the admin menu only to roles that manage products", async () => {
    const linkOf = async (cookie: string) =>
      (
        await (await SELF.fetch(`${ORIGIN}/admin`, { headers: { Cookie: cookie } })).text()
      ).includes('href="/admin/products"');
    expect(await linkOf(editor.cookie)).toBe(true);
    expect(await linkOf((await staffCookie("ADMIN")).cookie)).toBe(true);
    expect(await linkOf((await staffCookie("VIEWER")).cookie)).toBe(false);
    expect(await linkOf((await staffCookie("MODERATOR")).cookie)).toBe(false);
  });
});
