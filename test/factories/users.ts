import { createId } from "@paralleldrive/cuid2";
import type { Database } from "#db/client";
import { users, type NewUser, type User, type UserRole } from "#db/schema";
import { encryptField, type EncryptionKeys } from "~/lib/encryption.server";
import { hashPassword } from "~/lib/password.server";

export const TWO_FACTOR_SECRET_CONTEXT = "users.two_factor_secret";

export interface UserInput extends Partial<Omit<NewUser, "passwordHash" | "twoFactorSecret">> {
  /** Plain password; hashed with the real scrypt parameters. */
  password?: string;
  /** Base32 TOTP secret; stored encrypted and 2FA switched on. Needs `encryptionKeys`. */
  twoFactorSecret?: string;
}

let defaultPasswordHash: Promise<string> | undefined;
export const DEFAULT_TEST_PASSWORD = "correct horse battery staple";

/** Values for a user row; every field can be overridden. */
export function buildUser(overrides: Partial<NewUser> = {}): NewUser & { id: string } {
  const id = overrides.id ?? createId();
  return {
    email: `user-${id}@example.test`,
    name: `Test User ${id.slice(0, 6)}`,
    passwordHash: "",
    role: "USER" satisfies UserRole,
    birthDate: "1990-01-01",
    // Verified unless a test says otherwise (`emailVerifiedAt: null`): most tests buy.
    emailVerifiedAt: new Date("2026-01-01T00:00:00Z"),
    ...overrides,
    id,
  };
}

/**
 * Insert a user. Hashing is real scrypt, so tests that need many users share the default
 * password's hash (computed once).
 */
export async function createUser(
  db: Database,
  input: UserInput = {},
  options: { encryptionKeys?: EncryptionKeys } = {},
): Promise<User> {
  const { password, twoFactorSecret, ...overrides } = input;
  let passwordHash: string;
  if (password !== undefined) {
    passwordHash = await hashPassword(password);
  } else {
    defaultPasswordHash ??= hashPassword(DEFAULT_TEST_PASSWORD);
    passwordHash = await defaultPasswordHash;
  }

  let twoFactor: Partial<NewUser> = {};
  if (twoFactorSecret) {
    if (!options.encryptionKeys)
      throw new Error("createUser: twoFactorSecret needs encryptionKeys");
    twoFactor = {
      twoFactorEnabled: true,
      twoFactorSecret: await encryptField(
        twoFactorSecret,
        options.encryptionKeys,
        TWO_FACTOR_SECRET_CONTEXT,
      ),
    };
  }

  const [user] = await db
    .insert(users)
    .values(buildUser({ ...overrides, ...twoFactor, passwordHash }))
    .returning();
  return user!;
}
