import { MEMBERSHIP_TIERS } from "#db/schema/enums";
import { wholeNumber, z } from "~/lib/zod";
import { PAUSE_MONTHS_MAX, PAUSE_MONTHS_MIN } from "./lifecycle";

/**
 * The lifecycle forms of /account/membership (change-tier, cancel-downgrade, pause, resume) and
 * of the test provider's upgrade and renewal pages. Zod stays out of the browser bundle.
 */

const MONTHS_MESSAGE = `Choose ${PAUSE_MONTHS_MIN} to ${PAUSE_MONTHS_MAX} months.`;

export const ChangeTierFormSchema = z.object({
  intent: z.literal("change-tier"),
  tier: z.enum(MEMBERSHIP_TIERS, { error: "Choose a tier." }),
});

export const CancelDowngradeFormSchema = z.object({ intent: z.literal("cancel-downgrade") });

export const PauseFormSchema = z.object({
  intent: z.literal("pause"),
  months: wholeNumber(MONTHS_MESSAGE).pipe(
    z.number().min(PAUSE_MONTHS_MIN, MONTHS_MESSAGE).max(PAUSE_MONTHS_MAX, MONTHS_MESSAGE),
  ),
});

export const ResumeFormSchema = z.object({ intent: z.literal("resume") });

/** `?tier=` of the test provider's upgrade page. */
export const UpgradeTierQuerySchema = z.object({
  tier: z.enum(MEMBERSHIP_TIERS, { error: "Choose a tier." }),
});
