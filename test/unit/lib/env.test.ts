import { describe, expect, it } from "vitest";
import { EnvError, parseEnv, type WorkerBindings } from "~/lib/env.server";

const bindings = (overrides: Partial<WorkerBindings>): WorkerBindings =>
  ({
    DB: {} as D1Database,
    FILES: {} as R2Bucket,
    ENVIRONMENT: "development",
    ...overrides,
  }) as WorkerBindings;

const productionSecrets = {
  SESSION_SECRET: "s".repeat(40),
  ENCRYPTION_KEY: `7:${btoa("k".repeat(32))}`,
  HMAC_SECRET: "h".repeat(40),
  DOWNLOAD_SIGNING_SECRET: "d".repeat(40),
};

describe("parseEnv", () => {
  it("runs locally with no secret set, using marked development defaults", () => {
    const env = parseEnv(bindings({}));
    expect(env.environment).toBe("development");
    expect(env.usesDevSecrets).toBe(true);
    expect(env.encryptionKeys.current.version).toBe(1);
    expect(env.stripe).toBeNull();
  });

  it("takes IMAGE_RESIZING=cloudflare, leaves resizing off when unset, refuses anything else", () => {
    expect(parseEnv(bindings({})).imageResizing).toBeNull();
    expect(parseEnv(bindings({ IMAGE_RESIZING: " " })).imageResizing).toBeNull();
    expect(parseEnv(bindings({ IMAGE_RESIZING: "cloudflare" })).imageResizing).toBe("cloudflare");
    expect(() => parseEnv(bindings({ IMAGE_RESIZING: "imgix" }))).toThrow(
      /IMAGE_RESIZING must be cloudflare, or unset/,
    );
  });

  it("refuses to start in production with a missing secret, naming it", () => {
    expect(() => parseEnv(bindings({ ENVIRONMENT: "production" }))).toThrow(EnvError);
    expect(() =>
      parseEnv(bindings({ ENVIRONMENT: "production", ...productionSecrets, HMAC_SECRET: "" })),
    ).toThrow(/HMAC_SECRET/);
  });

  it("refuses the published development secrets in staging and production, naming each", () => {
    const published = parseEnv(bindings({})); // development: the defaults stand in
    const devValues = {
      SESSION_SECRET: published.sessionSecret,
      HMAC_SECRET: published.hmacSecret,
      DOWNLOAD_SIGNING_SECRET: published.downloadSigningSecret,
      ENCRYPTION_KEY: `${published.encryptionKeys.current.version}:${published.encryptionKeys.current.key}`,
    };
    for (const environment of ["staging", "production"]) {
      for (const [name, value] of Object.entries(devValues)) {
        expect(() =>
          parseEnv(
            bindings({ ENVIRONMENT: environment, ...productionSecrets, [name]: ` ${value} ` }),
          ),
        ).toThrow(new RegExp(`${name}: is the development value published in this repository`));
      }
      expect(() =>
        parseEnv(
          bindings({
            ENVIRONMENT: environment,
            ...productionSecrets,
            ENCRYPTION_KEY_PREVIOUS: devValues.ENCRYPTION_KEY,
          }),
        ),
      ).toThrow(/ENCRYPTION_KEY_PREVIOUS/);
    }
  });

  it("accepts a complete production configuration without dev defaults", () => {
    const env = parseEnv(bindings({ ENVIRONMENT: "production", ...productionSecrets }));
    expect(env.isProduction).toBe(true);
    expect(env.usesDevSecrets).toBe(false);
    expect(env.encryptionKeys.current).toEqual({ version: 7, key: btoa("k".repeat(32)) });
  });

  it("switches the operations endpoint on only with a long enough OPS_TOKEN", () => {
    expect(parseEnv(bindings({})).opsToken).toBeNull();
    expect(parseEnv(bindings({ OPS_TOKEN: "o".repeat(40) })).opsToken).toBe("o".repeat(40));
    expect(() => parseEnv(bindings({ OPS_TOKEN: "short" }))).toThrow(/OPS_TOKEN/);
  });

  it("keeps 180 days of audit log unless AUDIT_RETENTION_DAYS says otherwise", () => {
    expect(parseEnv(bindings({})).auditRetentionDays).toBe(180);
    expect(parseEnv(bindings({ AUDIT_RETENTION_DAYS: "30" })).auditRetentionDays).toBe(30);
    expect(() => parseEnv(bindings({ AUDIT_RETENTION_DAYS: "0" }))).toThrow(/AUDIT_RETENTION_DAYS/);
    expect(() => parseEnv(bindings({ AUDIT_RETENTION_DAYS: "29" }))).toThrow(/at least 30/);
    expect(() => parseEnv(bindings({ AUDIT_RETENTION_DAYS: "a week" }))).toThrow(
      /AUDIT_RETENTION_DAYS/,
    );
  });

  it("refuses a malformed encryption key, a short secret and an unknown environment", () => {
    expect(() =>
      parseEnv(bindings({ ...productionSecrets, ENCRYPTION_KEY: "plain-text-key" })),
    ).toThrow(/ENCRYPTION_KEY/);
    expect(() => parseEnv(bindings({ ...productionSecrets, SESSION_SECRET: "short" }))).toThrow(
      /SESSION_SECRET/,
    );
    expect(() => parseEnv(bindings({ ENVIRONMENT: "prod" }))).toThrow(/ENVIRONMENT/);
  });

  it("needs the webhook secret with a Stripe key, and a distinct version for the previous key", () => {
    expect(() =>
      parseEnv(bindings({ ...productionSecrets, STRIPE_SECRET_KEY: "sk_test_123" })),
    ).toThrow(/STRIPE_WEBHOOK_SECRET/);
    expect(() =>
      parseEnv(
        bindings({
          ...productionSecrets,
          ENCRYPTION_KEY_PREVIOUS: productionSecrets.ENCRYPTION_KEY,
        }),
      ),
    ).toThrow(/ENCRYPTION_KEY_PREVIOUS/);
  });
});
