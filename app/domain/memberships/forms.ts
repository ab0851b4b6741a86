import { wholeNumber, z } from "~/lib/zod";
import { MEMBERSHIP_STATUSES, MEMBERSHIP_TIERS } from "#db/schema/enums";
import { adminSearchParser, ReasonSchema } from "~/domain/auth/admin-forms";
import { EmailAddressSchema } from "~/domain/auth/forms";
import { TEAM_CAP_MAX } from "./team";
import { CREDIT_PACK_IDS, MAX_ADJUSTMENT } from "./tiers";

/**
 * The forms of /pricing, /checkout/membership, /checkout/credits, /account/membership and
 * /admin/memberships. In their own module so the browser bundle never pulls in zod.
 */

export const MembershipCheckoutFormSchema = z.object({
  tier: z.enum(MEMBERSHIP_TIERS, { error: "Choose a membership tier." }),
});

export const CreditPackFormSchema = z.object({
  pack: z.enum(CREDIT_PACK_IDS, { error: "Choose a credit pack." }),
});

export const AutoRenewFormSchema = z.object({
  intent: z.literal("auto-renew"),
  autoRenew: z.enum(["on", "off"]).transform((value) => value === "on"),
});

export const LedgerPageQuerySchema = z.object({
  cursor: z.string().max(200).nullable().catch(null),
});

export const MembershipAdminFormSchema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("assign-tier"),
    tier: z.enum(MEMBERSHIP_TIERS, { error: "Choose a tier." }),
    reason: ReasonSchema,
  }),
  z.object({
    intent: z.literal("adjust"),
    amount: wholeNumber("Enter a whole number of credits, like 10 or -5.").pipe(
      z
        .number()
        .min(-MAX_ADJUSTMENT, `At most ${MAX_ADJUSTMENT} credits at a time.`)
        .max(MAX_ADJUSTMENT, `At most ${MAX_ADJUSTMENT} credits at a time.`)
        .refine((value) => value !== 0, "Enter a number other than zero."),
    ),
    reason: ReasonSchema,
    /** One per form render, so a double submit writes one adjustment. */
    token: z.string().regex(/^[a-z0-9]{8,64}$/, "Reload the page and try again."),
  }),
]);
export type MembershipAdminForm = z.infer<typeof MembershipAdminFormSchema>;

/** The search form of /admin/memberships. */
export const parseMembershipSearch = adminSearchParser({
  tier: MEMBERSHIP_TIERS,
  status: MEMBERSHIP_STATUSES,
});

/** The team section of /account/membership (issue 15): one schema per intent. */
const CAP_MESSAGE = `Enter a whole number of credits from 0 to ${TEAM_CAP_MAX}, or leave it blank for no cap.`;
const IdSchema = z.string().trim().min(1, "Reload the page and try again.").max(64);
export const TeamFormSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("invite"), email: EmailAddressSchema }),
  z.object({ intent: z.literal("revoke-invitation"), invitationId: IdSchema }),
  z.object({ intent: z.literal("remove-member"), memberId: IdSchema }),
  z.object({
    intent: z.literal("set-cap"),
    memberId: IdSchema,
    cap: z
      .string()
      .max(20, CAP_MESSAGE)
      .optional()
      .transform((value, ctx) => {
        const text = value?.trim() ?? "";
        if (text === "") return null;
        const cap = /^\d{1,6}$/.test(text) ? Number(text) : Number.NaN;
        if (!(cap >= 0 && cap <= TEAM_CAP_MAX)) {
          ctx.addIssue({ code: "custom", message: CAP_MESSAGE });
          return z.NEVER;
        }
        return cap;
      }),
  }),
  z.object({ intent: z.literal("leave") }),
]);
export type TeamForm = z.infer<typeof TeamFormSchema>;
