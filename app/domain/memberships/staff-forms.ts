import { z } from "~/lib/zod";
import { MEMBERSHIP_TIERS } from "#db/schema/enums";
import { ReasonSchema } from "~/domain/auth/admin-forms";
import { MembershipAdminFormSchema } from "./forms";

/**
 * The staff forms of issue 15 item 7: refunding a credit pack on /admin/memberships/:id and
 * giving a membership on /admin/memberships/new. Server-only (zod), like ./forms.
 */

const recordId = (message: string) =>
  z.string({ error: message }).regex(/^[a-z0-9]{1,64}$/, message);

export const RefundPackFormSchema = z.object({
  intent: z.literal("refund-pack"),
  checkoutId: recordId("Choose a credit pack to refund."),
  reason: ReasonSchema,
});

/** Every intent of /admin/memberships/:id: the existing ones and `refund-pack`. */
export const MembershipDetailFormSchema = z.discriminatedUnion("intent", [
  ...MembershipAdminFormSchema.options,
  RefundPackFormSchema,
]);

export const GrantMembershipFormSchema = z.object({
  intent: z.literal("grant"),
  userId: recordId("Choose the account to give a membership to."),
  tier: z.enum(MEMBERSHIP_TIERS, { error: "Choose a tier." }),
  reason: ReasonSchema,
});

/** `?userId=` of /admin/memberships/new. */
export const GrantMembershipQuerySchema = z.object({
  userId: z
    .string()
    .regex(/^[a-z0-9]{1,64}$/)
    .nullable()
    .catch(null),
});
