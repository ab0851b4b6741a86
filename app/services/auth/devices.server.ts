import type { Database } from "#db/client";
import { deviceSessions } from "#db/schema";
import type { AppEnv } from "~/lib/env.server";
import { hashIp, hmacSha256Hex } from "~/lib/hmac.server";
import { deviceLabel } from "~/domain/auth/device-label";

export { deviceLabel };

export interface DeviceInput {
  /** Random id the browser keeps in localStorage; absent without JavaScript. */
  fingerprint?: string | null;
  userAgent?: string | null;
  ip?: string | null;
}

export async function deviceFingerprintHash(env: AppEnv, input: DeviceInput): Promise<string> {
  return hmacSha256Hex(
    env.hmacSecret,
    `device:${input.fingerprint || "none"}|${input.userAgent ?? ""}`,
  );
}

export interface RecordedDevice {
  id: string;
  isBlocked: boolean;
  /** True when this log-in created the row (a device never seen for this user). */
  isNew: boolean;
}

/**
 * Record the device of a log-in, or refresh the one already known. One statement, so two
 * parallel log-ins from the same new device end with one row.
 */
export async function recordDevice(
  db: Database,
  env: AppEnv,
  input: DeviceInput & { userId: string; now: Date },
): Promise<RecordedDevice> {
  const fingerprintHash = await deviceFingerprintHash(env, input);
  const ipHash = input.ip ? await hashIp(input.ip, env.hmacSecret) : null;
  const [row] = await db
    .insert(deviceSessions)
    .values({
      userId: input.userId,
      fingerprintHash,
      userAgent: input.userAgent?.slice(0, 400) ?? null,
      label: deviceLabel(input.userAgent),
      ipHash,
      lastSeenAt: input.now,
      createdAt: input.now,
      updatedAt: input.now,
    })
    .onConflictDoUpdate({
      target: [deviceSessions.userId, deviceSessions.fingerprintHash],
      set: { lastSeenAt: input.now, ipHash, revokedAt: null, updatedAt: input.now },
    })
    .returning({
      id: deviceSessions.id,
      isBlocked: deviceSessions.isBlocked,
      createdAt: deviceSessions.createdAt,
    });
  return {
    id: row!.id,
    isBlocked: row!.isBlocked,
    isNew: row!.createdAt.getTime() === input.now.getTime(),
  };
}
