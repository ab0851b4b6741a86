import type { AppLoadContext } from "@remix-run/cloudflare";
import {
  FEATURE_FLAG_DEFINITIONS,
  FLAG_RETRY_AFTER_SECONDS,
  flagEnvironment,
  type FeatureFlag,
  type FlagStates,
} from "~/domain/flags/flags";
import { refuse, type Refusal } from "~/domain/refusal";
import { readFeatureFlags } from "~/services/feature-flags.server";
import { refusalResponse, refusalStatus } from "./refusals.server";

/**
 * The gates of the feature flags (docs/operations/feature-flags.md). A route asks at the top
 * of its loader or action, before it reads a form or writes anything, so a paused feature
 * answers with its sentence (503) and nothing is half-written.
 */

type FlagContext = Pick<AppLoadContext, "db" | "env">;

/** Every flag of the running environment (one D1 read per isolate every few seconds). */
export function currentFlags(context: FlagContext): Promise<FlagStates> {
  return readFeatureFlags(context.db, {
    environment: flagEnvironment(context.env.environment),
    now: new Date(),
  });
}

/** The refusal a paused feature answers with, or null while it is on. */
export async function featureRefusal(
  context: FlagContext,
  flag: FeatureFlag,
): Promise<Refusal<"feature-off"> | null> {
  const flags = await currentFlags(context);
  if (flags[flag]) return null;
  return refuse("unavailable", "feature-off", FEATURE_FLAG_DEFINITIONS[flag].offMessage);
}

const RETRY_AFTER = { "Retry-After": String(FLAG_RETRY_AFTER_SECONDS) };

/** Throws the feature's sentence as a 503 (the route's error boundary shows it). */
export async function requireFeature(context: FlagContext, flag: FeatureFlag): Promise<void> {
  const refusal = await featureRefusal(context, flag);
  if (refusal) throw refusalResponse(refusal, { headers: RETRY_AFTER });
}

/**
 * For JSON APIs: throws a 503 with `Retry-After` and the body `toBody` builds from the
 * sentence (each API keeps its own answer shape), plus the route's own headers (CORS).
 */
export async function requireFeatureJson(
  context: FlagContext,
  flag: FeatureFlag,
  toBody: (message: string) => unknown,
  headers: Record<string, string> = {},
): Promise<void> {
  const refusal = await featureRefusal(context, flag);
  if (!refusal) return;
  throw Response.json(toBody(refusal.message), {
    status: refusalStatus(refusal),
    headers: { ...headers, "Cache-Control": "no-store", ...RETRY_AFTER },
  });
}
