import { z } from "~/lib/zod";

/** What Cloudflare hands the Worker: bindings from wrangler.toml plus secrets. */
export interface WorkerBindings {
  DB: D1Database;
  FILES: R2Bucket;
  ENVIRONMENT: string;
  SESSION_SECRET?: string;
  ENCRYPTION_KEY?: string;
  ENCRYPTION_KEY_PREVIOUS?: string;
  HMAC_SECRET?: string;
  DOWNLOAD_SIGNING_SECRET?: string;
  STRIPE_SECRET_KEY?: string;
  STRIPE_WEBHOOK_SECRET?: string;
  /** Cloudflare `send_email` binding; without it, emails are only logged (development, test). */
  EMAIL?: SendEmail;
  /** Sender address for outgoing email, on a domain the `send_email` binding may send from. */
  EMAIL_FROM?: string;
  /** Bearer token of `POST /ops/backups` (the backup CLI, `npm run deploy`); unset: no endpoint. */
  OPS_TOKEN?: string;
  /** Days the audit log stays in D1 before the daily job archives it to R2 (default 180). */
  AUDIT_RETENTION_DAYS?: string;
  /** `cloudflare`: product images offer smaller sizes through `/cdn-cgi/image/` (the zone's
   * Images transformations must be on). Unset: every image is served at its stored size. */
  IMAGE_RESIZING?: string;
}

export const ENVIRONMENTS = ["development", "test", "staging", "production"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/**
 * Development-only secrets, so `npm start` works with nothing set by hand. They are public
 * (they are in this file) and are refused outside development and test.
 */
const DEV_SECRETS = {
  SESSION_SECRET: "dev-only-session-secret-do-not-use-in-production-000",
  ENCRYPTION_KEY: "1:ZGV2LW9ubHktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM=",
  HMAC_SECRET: "dev-only-hmac-secret-do-not-use-in-production-00000",
  DOWNLOAD_SIGNING_SECRET: "dev-only-download-signing-secret-not-for-production",
} as const;

/**
 * The development secrets are public, so staging and production refuse them even when set on
 * purpose (say, copied from a development `.dev.vars`). Returns the offending variable names.
 */
function publishedSecretsIn(bindings: WorkerBindings, allowDevSecrets: boolean): string[] {
  if (allowDevSecrets) return [];
  const published = new Set<string>(Object.values(DEV_SECRETS));
  const names = [...Object.keys(DEV_SECRETS), "ENCRYPTION_KEY_PREVIOUS"] as const;
  return names.filter((name) => {
    const value = bindings[name as keyof WorkerBindings];
    return typeof value === "string" && published.has(value.trim());
  });
}

/** Who makes the smaller sizes of product images (`IMAGE_RESIZING`), if anyone. */
export const IMAGE_RESIZERS = ["cloudflare"] as const;

/** Audit rows older than this many whole UTC days move to R2 (issue 12: default 180). */
export const DEFAULT_AUDIT_RETENTION_DAYS = 180;

const secret = z.string().min(32, "must be at least 32 characters of random data");

/** `<version>:<base64 of 32 bytes>`; the version is written into every ciphertext. */
export const EncryptionKeySchema = z
  .string()
  .regex(/^[1-9][0-9]{0,5}:[A-Za-z0-9+/]{43}=$/, "must look like `<version>:<base64 of 32 bytes>`")
  .transform((value) => {
    const [version, key] = value.split(":") as [string, string];
    return { version: Number(version), key };
  });
export type EncryptionKeyConfig = z.output<typeof EncryptionKeySchema>;

const RuntimeEnvSchema = z
  .object({
    ENVIRONMENT: z.enum(ENVIRONMENTS, {
      error: `ENVIRONMENT must be one of ${ENVIRONMENTS.join(", ")}`,
    }),
    SESSION_SECRET: secret,
    ENCRYPTION_KEY: EncryptionKeySchema,
    ENCRYPTION_KEY_PREVIOUS: EncryptionKeySchema.optional(),
    HMAC_SECRET: secret,
    DOWNLOAD_SIGNING_SECRET: secret,
    STRIPE_SECRET_KEY: z.string().startsWith("sk_").optional(),
    STRIPE_WEBHOOK_SECRET: z.string().startsWith("whsec_").optional(),
    OPS_TOKEN: secret.optional(),
    AUDIT_RETENTION_DAYS: z.coerce
      .number()
      .int("AUDIT_RETENTION_DAYS must be a whole number of days")
      // migrations/0009: the database itself refuses to archive a day younger than 30 days.
      .min(30, "AUDIT_RETENTION_DAYS must be at least 30")
      .max(36_500)
      .default(DEFAULT_AUDIT_RETENTION_DAYS),
    IMAGE_RESIZING: z
      .enum(IMAGE_RESIZERS, {
        error: `IMAGE_RESIZING must be ${IMAGE_RESIZERS.join(" or ")}, or unset`,
      })
      .optional(),
  })
  .refine((env) => !env.STRIPE_SECRET_KEY || env.STRIPE_WEBHOOK_SECRET, {
    message: "STRIPE_WEBHOOK_SECRET is required when STRIPE_SECRET_KEY is set",
    path: ["STRIPE_WEBHOOK_SECRET"],
  })
  .refine(
    (env) =>
      !env.ENCRYPTION_KEY_PREVIOUS ||
      env.ENCRYPTION_KEY_PREVIOUS.version !== env.ENCRYPTION_KEY.version,
    {
      message: "ENCRYPTION_KEY_PREVIOUS must have another version than ENCRYPTION_KEY",
      path: ["ENCRYPTION_KEY_PREVIOUS"],
    },
  );

export interface AppEnv {
  environment: Environment;
  isProduction: boolean;
  /** True when a built-in development secret stands in for a missing one. */
  usesDevSecrets: boolean;
  sessionSecret: string;
  encryptionKeys: { current: EncryptionKeyConfig; previous?: EncryptionKeyConfig };
  hmacSecret: string;
  downloadSigningSecret: string;
  stripe: { secretKey: string; webhookSecret: string } | null;
  /** The operations token (`OPS_TOKEN`), or null when operations endpoints are off. */
  opsToken: string | null;
  /** Whole UTC days of audit log kept in D1; older days move to R2 (docs/architecture.md §11). */
  auditRetentionDays: number;
  /** Who makes smaller sizes of product images for `srcset`; null: none, one size for all. */
  imageResizing: (typeof IMAGE_RESIZERS)[number] | null;
}

export class EnvError extends Error {
  override name = "EnvError";
}

const blankToUndefined = (value: string | undefined) => (value?.trim() ? value : undefined);

const parsed = new WeakMap<object, AppEnv>();

/**
 * Validate the Worker's env once per isolate and binding object. A missing secret in
 * staging or production throws an {@link EnvError} naming every problem.
 */
export function parseEnv(bindings: WorkerBindings): AppEnv {
  const cached = parsed.get(bindings);
  if (cached) return cached;

  const allowDevSecrets = bindings.ENVIRONMENT === "development" || bindings.ENVIRONMENT === "test";
  let usesDevSecrets = false;
  const withDefault = (name: keyof typeof DEV_SECRETS) => {
    const value = blankToUndefined(bindings[name]);
    if (value || !allowDevSecrets) return value;
    usesDevSecrets = true;
    return DEV_SECRETS[name];
  };

  const result = RuntimeEnvSchema.safeParse({
    ENVIRONMENT: bindings.ENVIRONMENT,
    SESSION_SECRET: withDefault("SESSION_SECRET"),
    ENCRYPTION_KEY: withDefault("ENCRYPTION_KEY"),
    ENCRYPTION_KEY_PREVIOUS: blankToUndefined(bindings.ENCRYPTION_KEY_PREVIOUS),
    HMAC_SECRET: withDefault("HMAC_SECRET"),
    DOWNLOAD_SIGNING_SECRET: withDefault("DOWNLOAD_SIGNING_SECRET"),
    STRIPE_SECRET_KEY: blankToUndefined(bindings.STRIPE_SECRET_KEY),
    STRIPE_WEBHOOK_SECRET: blankToUndefined(bindings.STRIPE_WEBHOOK_SECRET),
    OPS_TOKEN: blankToUndefined(bindings.OPS_TOKEN),
    AUDIT_RETENTION_DAYS: blankToUndefined(bindings.AUDIT_RETENTION_DAYS),
    IMAGE_RESIZING: blankToUndefined(bindings.IMAGE_RESIZING),
  });
  if (!result.success || publishedSecretsIn(bindings, allowDevSecrets).length > 0) {
    const problems = [
      ...(result.error?.issues ?? []).map(
        (issue) => `${issue.path.join(".") || "env"}: ${issue.message}`,
      ),
      ...publishedSecretsIn(bindings, allowDevSecrets).map(
        (name) =>
          `${name}: is the development value published in this repository; set a random secret`,
      ),
    ];
    throw new EnvError(`Invalid Worker configuration:\n- ${problems.join("\n- ")}`);
  }

  const env = result.data!;
  const appEnv: AppEnv = {
    environment: env.ENVIRONMENT,
    isProduction: env.ENVIRONMENT === "production",
    usesDevSecrets,
    sessionSecret: env.SESSION_SECRET,
    encryptionKeys: { current: env.ENCRYPTION_KEY, previous: env.ENCRYPTION_KEY_PREVIOUS },
    hmacSecret: env.HMAC_SECRET,
    downloadSigningSecret: env.DOWNLOAD_SIGNING_SECRET,
    stripe:
      env.STRIPE_SECRET_KEY && env.STRIPE_WEBHOOK_SECRET
        ? { secretKey: env.STRIPE_SECRET_KEY, webhookSecret: env.STRIPE_WEBHOOK_SECRET }
        : null,
    opsToken: env.OPS_TOKEN ?? null,
    auditRetentionDays: env.AUDIT_RETENTION_DAYS,
    imageResizing: env.IMAGE_RESIZING ?? null,
  };
  parsed.set(bindings, appEnv);
  return appEnv;
}
