import { createId } from "@paralleldrive/cuid2";
import { env } from "cloudflare:test";
import { createDb } from "#db/client";
import { deviceSessions, digitalProductPurchases, type LicenseType } from "#db/schema";
import type { ProductInput } from "../factories";
import { createProduct } from "../factories";
import { parseEnv } from "~/lib/env.server";
import { issueLicenseStatement } from "~/services/licenses.server";

const db = createDb(env.DB);
const appEnv = parseEnv(env);

/** A completed purchase of a new product by `userId`, and the license fulfilment issued. */
export async function licenseFor(
  userId: string,
  options: { type?: LicenseType; product?: ProductInput; now?: Date } = {},
) {
  const type = options.type ?? "PERSONAL";
  const now = options.now ?? new Date();
  const product = await createProduct({ db, files: env.FILES }, options.product);
  const purchaseId = createId();
  await db.insert(digitalProductPurchases).values({
    id: purchaseId,
    userId,
    productId: product.id,
    licenseType: type,
    amountCents: 2900,
    currency: "USD",
    status: "COMPLETED",
    provider: "TEST",
    completedAt: now,
  });
  const issued = await issueLicenseStatement(db, appEnv, {
    purchaseId,
    userId,
    productId: product.id,
    licenseType: type,
    teamSeats: 5,
    durationMonths: null,
    now,
  });
  await issued.statement;
  return { product, licenseId: issued.licenseId, key: issued.key };
}

/** A device the user logged in from (optionally blocked). */
export async function deviceFor(userId: string, options: { blocked?: boolean } = {}) {
  const [device] = await db
    .insert(deviceSessions)
    .values({
      userId,
      fingerprintHash: `fp-${createId()}`,
      userAgent: "Test browser",
      lastSeenAt: new Date(),
      isBlocked: options.blocked ?? false,
      blockedReason: options.blocked ? "Stolen laptop" : null,
      blockedAt: options.blocked ? new Date() : null,
    })
    .returning();
  return device!;
}
