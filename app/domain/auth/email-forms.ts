import { z } from "~/lib/zod";
import { EmailAddressSchema, PASSWORD_MAX_LENGTH, SafeRedirectSchema } from "./forms";

/**
 * The forms about one's own email address: "send the verification link again" (the banner on
 * every page) and `/account/email`. Only loaders and actions import this module (zod).
 */

export const ResendVerificationFormSchema = z.object({
  intent: z.literal("resend-verification"),
  // Back to the page the banner was on; a path on this site only (never an open redirect).
  redirectTo: SafeRedirectSchema,
});

/** `/account/email`: the new address, and the current password to prove it is the owner. */
export const EmailChangeFormSchema = z.object({
  email: EmailAddressSchema,
  password: z
    .string({ error: "Enter your current password." })
    .min(1, "Enter your current password.")
    .max(PASSWORD_MAX_LENGTH),
});
export type EmailChangeForm = z.infer<typeof EmailChangeFormSchema>;

/** `/account/email`, minors only: name a different parent or guardian (consent starts over). */
export const GuardianEmailFormSchema = z.object({
  intent: z.literal("change-guardian"),
  guardianEmail: EmailAddressSchema,
});
