import { createId } from "@paralleldrive/cuid2";
import type { Database } from "#db/client";
import { licenses, type LicenseType } from "#db/schema";
import { generateLicenseKey } from "~/domain/licenses/key";
import { encryptField } from "~/lib/encryption.server";
import type { AppEnv } from "~/lib/env.server";
import { blindIndex } from "~/lib/hmac.server";

/** Column contexts: a ciphertext or index copied to another column is worthless there. */
export const LICENSE_KEY_CONTEXT = "licenses.key";

export async function licenseKeyBlindIndex(env: AppEnv, normalizedKey: string): Promise<string> {
  return blindIndex(normalizedKey, env.hmacSecret, LICENSE_KEY_CONTEXT);
}

export interface LicenseIssue {
  purchaseId: string;
  userId: string;
  productId: string;
  licenseType: LicenseType;
  /** Seats of a TEAM license (the product's `team_seats`); other types get 1. */
  teamSeats: number;
  /** Months until expiry, or null for a perpetual license. */
  durationMonths: number | null;
  now: Date;
}

/**
 * The INSERT of a new license, to run in the fulfilment batch. The key is encrypted at rest and
 * found later only through its blind index; the plain key is returned so the caller can hand it
 * to nobody but the owner.
 */
export async function issueLicenseStatement(db: Database, env: AppEnv, input: LicenseIssue) {
  const key = generateLicenseKey();
  const licenseId = createId();
  const expiresAt =
    input.durationMonths === null
      ? null
      : new Date(
          Date.UTC(
            input.now.getUTCFullYear(),
            input.now.getUTCMonth() + input.durationMonths,
            input.now.getUTCDate(),
            input.now.getUTCHours(),
            input.now.getUTCMinutes(),
          ),
        );
  const statement = db
    .insert(licenses)
    .values({
      id: licenseId,
      purchaseId: input.purchaseId,
      userId: input.userId,
      productId: input.productId,
      licenseType: input.licenseType,
      keyEncrypted: await encryptField(key, env.encryptionKeys, LICENSE_KEY_CONTEXT),
      keyBlindIndex: await licenseKeyBlindIndex(env, key),
      keyLast5: key.slice(-5),
      maxUsers: input.licenseType === "TEAM" ? input.teamSeats : 1,
      expiresAt,
      createdAt: input.now,
      updatedAt: input.now,
    })
    // One license per purchase: a replayed fulfilment cannot issue a second one.
    .onConflictDoNothing({ target: licenses.purchaseId });
  return { licenseId, key, statement };
}
