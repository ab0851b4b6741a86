import { z } from "~/lib/zod";
import {
  FEATURE_ENVIRONMENTS,
  FEATURE_FLAGS,
  FLAG_REASON_MAX_LENGTH,
  FLAG_REASON_MIN_LENGTH,
} from "./flags";

/**
 * The form of /admin/flags (docs/architecture.md §12: `intent=set`, `name`, `environment`,
 * `enabled` on/off, `reason`). Imported only by the action, so zod stays out of the browser.
 */
export const FlagAdminFormSchema = z.object({
  intent: z.literal("set"),
  name: z.enum(FEATURE_FLAGS, { error: "Choose a feature flag." }),
  environment: z.enum(FEATURE_ENVIRONMENTS, { error: "Choose an environment." }),
  enabled: z.enum(["on", "off"], { error: "Choose on or off." }).transform((v) => v === "on"),
  reason: z
    .string({ error: "Say why; it goes into the audit log." })
    .trim()
    .min(FLAG_REASON_MIN_LENGTH, "Say why; it goes into the audit log.")
    .max(FLAG_REASON_MAX_LENGTH, `Use at most ${FLAG_REASON_MAX_LENGTH} characters.`),
});
export type FlagAdminForm = z.infer<typeof FlagAdminFormSchema>;
