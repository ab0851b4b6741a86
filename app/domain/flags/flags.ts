import { FEATURE_ENVIRONMENTS, type FeatureEnvironment } from "#db/schema/enums";

/**
 * The feature flags (docs/architecture.md §11): switches an operator flips in /admin/flags to
 * pause one part of the store without a deploy. Pure and zod-free, so pages import it.
 *
 * Every flag defaults to on: an empty `feature_flags` table means everything works, and a row
 * exists only once someone has switched a flag (it then records who and when).
 */
export const FEATURE_FLAGS = ["signup", "checkout", "downloads", "studio", "license-api"] as const;
export type FeatureFlag = (typeof FEATURE_FLAGS)[number];

export interface FeatureFlagDefinition {
  /** What the flag gates, for the admin page and the docs. */
  description: string;
  /** The state when the table has no row for it. */
  defaultEnabled: boolean;
  /** What a user reads where the feature would be, while it is off. */
  offMessage: string;
}

export const FEATURE_FLAG_DEFINITIONS: Readonly<Record<FeatureFlag, FeatureFlagDefinition>> = {
  signup: {
    description: "New accounts: the sign-up form and POST /signup.",
    defaultEnabled: true,
    offMessage:
      "Sign-ups are paused for the moment. If you already have an account you can log in as usual; please try again in a little while.",
  },
  checkout: {
    description:
      "Starting a payment: products, memberships and credit packs. Payments already taken are still fulfilled.",
    defaultEnabled: true,
    offMessage:
      "Checkout is paused for maintenance. Nothing has been charged; please try again in a little while.",
  },
  downloads: {
    description: "Product downloads: new download links and the files behind them.",
    defaultEnabled: true,
    offMessage:
      "Downloads are paused for maintenance. Your licenses and remaining downloads are safe; try again in a little while.",
  },
  studio: {
    description: "The studio: new project requests and add-on requests on running projects.",
    defaultEnabled: true,
    offMessage:
      "New project and add-on requests are paused for the moment. Your projects and credits are safe; please try again in a little while.",
  },
  "license-api": {
    description: "The license API (/api/licenses/validate, activate, deactivate).",
    defaultEnabled: true,
    offMessage: "The license API is paused for maintenance. Retry later; no license was changed.",
  },
};

export function isFeatureFlag(name: string): name is FeatureFlag {
  return (FEATURE_FLAGS as readonly string[]).includes(name);
}

/** Each flag's state, defaults filled in. */
export type FlagStates = Readonly<Record<FeatureFlag, boolean>>;

/** The states from the rows of one environment; flags without a row keep their default. */
export function flagStates(rows: ReadonlyArray<{ key: string; enabled: boolean }>): FlagStates {
  const states = Object.fromEntries(
    FEATURE_FLAGS.map((flag) => [flag, FEATURE_FLAG_DEFINITIONS[flag].defaultEnabled]),
  ) as Record<FeatureFlag, boolean>;
  for (const row of rows) if (isFeatureFlag(row.key)) states[row.key] = row.enabled;
  return states;
}

export { FEATURE_ENVIRONMENTS, type FeatureEnvironment };

/**
 * The `feature_flags.environment` the running app reads. The app's ENVIRONMENT may also be
 * `test` (vitest, the e2e stack), which has no rows of its own: it reads and writes the
 * `development` flags, like a local `npm start`.
 */
export function flagEnvironment(appEnvironment: string): FeatureEnvironment {
  return (FEATURE_ENVIRONMENTS as readonly string[]).includes(appEnvironment)
    ? (appEnvironment as FeatureEnvironment)
    : "development";
}

/** Reasons for a flag change are audited: short enough to read, long enough to mean something. */
export const FLAG_REASON_MIN_LENGTH = 3;
export const FLAG_REASON_MAX_LENGTH = 500;

/** How stale a page's idea of the flags may be (docs/operations/feature-flags.md). */
export const FLAG_REFRESH_MS = 5_000;

/** Seconds an API client should wait before retrying a paused feature (`Retry-After`). */
export const FLAG_RETRY_AFTER_SECONDS = 300;
