import { createId } from "@paralleldrive/cuid2";
import { count, eq } from "drizzle-orm";
import type { Database } from "./client";
import { users, type ProductCategory, type User, type UserRole } from "./schema";
import { USER_ROLES } from "./schema/enums";
import type { EncryptionKeys } from "~/lib/encryption.server";
import { TIERS } from "~/domain/memberships/tiers";
import { spend, topUp } from "~/services/ledger.server";
import { requestAddOn } from "~/services/projects/add-ons.server";
import {
  acceptProject,
  changePhase,
  requestProject,
  requestRevision,
} from "~/services/projects/projects.server";
import { createMembership, createProduct, createUser } from "../test/factories";

/** The demo TOTP secret every staff account shares (README: add it to any authenticator app). */
export const DEMO_TWO_FACTOR_SECRET = "JBSWY3DPEHPK3PXP";

export const demoEmail = (role: UserRole) => `${role.toLowerCase()}@demo.test`;
export const demoPassword = (role: UserRole) => `demo-password-${role.toLowerCase()}`;

/** A second customer, so staff see two clients' projects (and the first can't see the second's). */
export const DEMO_SECOND_CLIENT = {
  email: "client@demo.test",
  password: "demo-password-client",
  name: "Demo Client",
} as const;

export const DEMO_PRODUCTS: Array<{
  name: string;
  category: ProductCategory;
  tagline: string;
  tags: string[];
  featured: boolean;
  prices: [number, number | null, number | null];
  file: { name: string; contentType: string; body: string };
}> = [
  {
    name: "Northwind Portfolio Template",
    category: "TEMPLATE",
    tagline: "A calm, fast portfolio for designers who let the work speak.",
    tags: ["portfolio", "remix", "responsive"],
    featured: true,
    prices: [4900, 12900, 29900],
    file: {
      name: "northwind-portfolio.md",
      contentType: "text/markdown; charset=utf-8",
      body: "# Northwind Portfolio\n\nUnzip, run `npm install`, edit `content/`.\n",
    },
  },
  {
    name: "Ledger UI Kit",
    category: "UI_KIT",
    tagline: "120 components for dashboards, tables and billing screens.",
    tags: ["figma", "dashboard", "components"],
    featured: true,
    prices: [5900, 14900, 34900],
    file: {
      name: "ledger-ui-kit.json",
      contentType: "application/json",
      body: '{"kit":"Ledger","components":120,"tokens":{"radius":8,"brand":"#4338ca"}}\n',
    },
  },
  {
    name: "Quiet Theme",
    category: "THEME",
    tagline: "A typographic blog theme with dark mode and perfect Lighthouse scores.",
    tags: ["blog", "dark-mode"],
    featured: true,
    prices: [2900, 6900, null],
    file: {
      name: "quiet-theme.css",
      contentType: "text/css; charset=utf-8",
      body: ":root{--ink:#1c1b22;--paper:#f8f7f4}body{color:var(--ink);background:var(--paper)}\n",
    },
  },
  {
    name: "Form Patterns Snippets",
    category: "CODE_SNIPPET",
    tagline: "Accessible, validated form patterns you can paste into any React app.",
    tags: ["react", "forms", "accessibility"],
    featured: false,
    prices: [1900, 4900, 9900],
    file: {
      name: "form-patterns.tsx",
      contentType: "text/plain; charset=utf-8",
      body: "export function Field({ label, error }: { label: string; error?: string }) {\n  return null;\n}\n",
    },
  },
  {
    name: "Brand Guidelines Handbook",
    category: "DOCUMENTATION",
    tagline: "A fill-in-the-blanks brand book that clients actually read.",
    tags: ["branding", "handbook"],
    featured: false,
    prices: [3900, 8900, null],
    file: {
      name: "brand-handbook.md",
      contentType: "text/markdown; charset=utf-8",
      body: "# Brand handbook\n\n1. Voice\n2. Logo use\n3. Colour\n",
    },
  },
  {
    name: "Isometric Icon Set",
    category: "ASSET",
    tagline: "240 isometric icons in SVG, tuned for 24 and 48 pixels.",
    tags: ["icons", "svg"],
    featured: true,
    prices: [1500, 3900, 7900],
    file: {
      name: "isometric-icon.svg",
      contentType: "image/svg+xml",
      body: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M12 2l9 5v10l-9 5-9-5V7z" fill="#4338ca"/></svg>\n',
    },
  },
];

export interface DemoDataDeps {
  db: Database;
  files: R2Bucket;
  encryptionKeys: EncryptionKeys;
  /**
   * Reads a file of `db/demo-media/` (the PNGs `generate.ts` draws), or null when there is none.
   * `npm run db:seed` passes one that reads the disk; without it the products keep their
   * gradient tiles (the workerd tests that seed have no file system).
   */
  readMedia?: (fileName: string) => Promise<Uint8Array | null>;
}

/** How many preview images each demo product has in `db/demo-media/` (`<slug>-preview-<n>.png`). */
export const DEMO_PREVIEWS_PER_PRODUCT = 2;

export const demoProductSlug = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, "-");

/**
 * The cover (`thumbnails/<id>/cover.png`) and previews (`previews/<id>/preview-<n>.png`) of a
 * demo product, put into R2 where `/media/*` serves them; the product page's gallery shows the cover
 * and then the previews.
 */
async function storeDemoImages(
  files: R2Bucket,
  readMedia: DemoDataDeps["readMedia"],
  productId: string,
  slug: string,
): Promise<{ thumbnailKey: string | null; previewKeys: string[] }> {
  if (!readMedia) return { thumbnailKey: null, previewKeys: [] };
  const put = async (fileName: string, key: string) => {
    const bytes = await readMedia(fileName);
    if (!bytes) return null;
    await files.put(key, bytes, { httpMetadata: { contentType: "image/png" } });
    return key;
  };
  const thumbnailKey = await put(`${slug}-cover.png`, `thumbnails/${productId}/cover.png`);
  const previewKeys: string[] = [];
  for (let n = 1; n <= DEMO_PREVIEWS_PER_PRODUCT; n++) {
    const key = await put(`${slug}-preview-${n}.png`, `previews/${productId}/preview-${n}.png`);
    if (key) previewKeys.push(key);
  }
  return { thumbnailKey, previewKeys };
}

export interface DemoDataResult {
  seeded: boolean;
  users: number;
  products: number;
}

/**
 * The demo data of docs/architecture.md §12, built with the same factories as the tests. Does
 * nothing when the database already has users, so `npm start` can call it every time.
 */
export async function seedDemoData(deps: DemoDataDeps): Promise<DemoDataResult> {
  const { db, files, encryptionKeys } = deps;
  const [existing] = await db.select({ users: count() }).from(users);
  if ((existing?.users ?? 0) > 0) return { seeded: false, users: 0, products: 0 };

  const accounts = new Map<UserRole, string>();
  for (const role of USER_ROLES) {
    const staff = role !== "USER";
    const user = await createUser(
      db,
      {
        email: demoEmail(role),
        name: `Demo ${role.charAt(0)}${role.slice(1).toLowerCase()}`,
        role,
        password: demoPassword(role),
        emailVerifiedAt: new Date(),
        ...(staff ? { twoFactorSecret: DEMO_TWO_FACTOR_SECRET } : {}),
      },
      { encryptionKeys },
    );
    accounts.set(role, user.id);
  }

  const editorId = accounts.get("EDITOR");
  const now = Date.now();
  for (const [index, product] of DEMO_PRODUCTS.entries()) {
    const id = createId();
    const slug = demoProductSlug(product.name);
    await createProduct(
      { db, files },
      {
        id,
        ...(await storeDemoImages(files, deps.readMedia, id, slug)),
        name: product.name,
        slug,
        category: product.category,
        tagline: product.tagline,
        description:
          "Built and maintained by the studio, used in our own client work before it was ever for sale.\n\nFree updates for the life of the major version, and an email away when something is unclear.",
        documentation:
          "# Getting started\n\nDownload the archive from your account, then follow the README inside.",
        changelog: "- 1.0.0: First release.",
        tags: product.tags,
        featured: product.featured,
        pricePersonalCents: product.prices[0],
        priceCommercialCents: product.prices[1],
        priceTeamCents: product.prices[2],
        createdById: editorId,
        // Spread publication times so the catalog has a stable order.
        publishedAt: new Date(now - index * 86_400_000),
        file: product.file,
      },
    );
  }

  const customerId = accounts.get("USER")!;
  await seedDemoMembership(db, customerId, now);
  const secondClient = await createUser(db, {
    email: DEMO_SECOND_CLIENT.email,
    name: DEMO_SECOND_CLIENT.name,
    password: DEMO_SECOND_CLIENT.password,
    emailVerifiedAt: new Date(),
  });
  const admin = await db
    .select()
    .from(users)
    .where(eq(users.id, accounts.get("ADMIN")!));
  const customer = await db.select().from(users).where(eq(users.id, customerId));
  await seedDemoStudio(db, { customer: customer[0]!, second: secondClient, admin: admin[0]! }, now);

  return { seeded: true, users: accounts.size + 1, products: DEMO_PRODUCTS.length };
}

/**
 * The studio (issue 11), written by the studio's own services with times in the past, so the
 * projects carry real stints, audit rows, ledger rows and emails:
 * - the demo customer's project, accepted ten days ago, in DESIGN with one revision used and
 *   a CONTENT_EDIT add-on waiting for staff (its credits reserved);
 * - the second client's project, moved to BUILD two weeks ago.
 */
async function seedDemoStudio(
  db: Database,
  people: { customer: User; second: User; admin: User },
  now: number,
) {
  const day = 86_400_000;
  const at = (offsetDays: number) => new Date(now + offsetDays * day);
  const as = (user: User, offsetDays: number) => ({
    actor: { id: user.id, role: user.role },
    request: {},
    now: at(offsetDays),
  });
  const deps = { db };
  const must = <T extends { ok: boolean }>(result: T): Extract<T, { ok: true }> => {
    if (!result.ok) throw new Error(`Demo studio seed refused: ${JSON.stringify(result)}`);
    return result as Extract<T, { ok: true }>;
  };

  const relaunch = must(
    await requestProject(deps, {
      ...as(people.customer, -12),
      user: people.customer,
      form: {
        name: "Studio portfolio relaunch",
        category: "WEB_DEVELOPMENT",
        description:
          "A faster portfolio with case studies we can publish ourselves, and a contact form that reaches us.",
        deadline: at(40),
        budgetNotes: "Paid from our PRO membership where it can be.",
      },
    }),
  );
  must(
    await acceptProject(deps, {
      ...as(people.admin, -10),
      projectId: relaunch.projectId,
      startDate: at(-10),
      terms: {
        scope: "Home, about, case studies (up to 6), contact. Content from the client.",
        features: ["Responsive layout", "CMS-driven case studies", "Contact form"],
        deadline: at(35),
        designRevisionsMax: 2,
        buildRevisionsMax: 1,
      },
    }),
  );
  must(
    await requestRevision(deps, {
      ...as(people.customer, -4),
      projectId: relaunch.projectId,
      clientId: people.customer.id,
      notes: "Two columns for the case-study grid on tablets, and a larger hero image.",
    }),
  );
  must(
    await requestAddOn(deps, {
      ...as(people.customer, -1),
      projectId: relaunch.projectId,
      clientId: people.customer.id,
      type: "CONTENT_EDIT",
      description: "Rewrite the About page introduction with the new team bio.",
    }),
  );

  const shop = must(
    await requestProject(deps, {
      ...as(people.second, -30),
      user: people.second,
      form: {
        name: "Ceramics shop",
        category: "WEB_DESIGN",
        description: "A small online shop for hand-made ceramics, with a journal.",
        deadline: at(20),
        budgetNotes: null,
      },
    }),
  );
  must(
    await acceptProject(deps, {
      ...as(people.admin, -28),
      projectId: shop.projectId,
      startDate: at(-28),
      terms: {
        scope: "Shop, product pages, journal, about.",
        features: ["Product gallery", "Journal", "Newsletter sign-up"],
        deadline: at(14),
        designRevisionsMax: 2,
        buildRevisionsMax: 1,
      },
    }),
  );
  must(
    await changePhase(deps, {
      ...as(people.admin, -14),
      projectId: shop.projectId,
      expectedPhase: "DESIGN",
      change: { kind: "advance", to: "BUILD" },
    }),
  );
}

/**
 * The demo member's PRO membership, two-thirds through its period, with real ledger rows
 * written by the ledger service: the opening allocation, two spends and a top-up.
 */
async function seedDemoMembership(db: Database, userId: string, now: number) {
  const day = 86_400_000;
  const start = now - 20 * day;
  const membership = await createMembership(db, {
    userId,
    tier: "PRO",
    credits: TIERS.PRO.creditsPerPeriod,
    periodStart: new Date(start),
    periodDays: TIERS.PRO.periodDays,
  });
  const entry = (key: string, offsetDays: number, description: string) => ({
    membershipId: membership.id,
    idempotencyKey: `demo:${membership.id}:${key}`,
    description,
    now: new Date(start + offsetDays * day),
  });
  await spend(db, { ...entry("usage-1", 3, "Content edit: pricing page copy"), amount: 6 });
  await spend(db, { ...entry("usage-2", 9, "Support call: launch checklist"), amount: 4 });
  await topUp(db, { ...entry("top-up-1", 12, "Credit pack 10 credits"), amount: 10 });
  await spend(db, { ...entry("usage-3", 16, "Extra revision: home page"), amount: 8 });
}
