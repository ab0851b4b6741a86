import { z } from "~/lib/zod";
import { email } from "./forms";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "./password-rules";

/**
 * The password forms (docs/architecture.md §5): asking for a reset link, choosing a new
 * password through it, and changing it on /account/security. Only actions import this module,
 * so zod stays out of the browser; the pages read the limits from ./password-rules.
 */

/** A password someone is choosing now: the same rules as at sign-up. */
const newPassword = z
  .string({ error: "Choose a new password." })
  .min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters.`)
  .max(PASSWORD_MAX_LENGTH, `Use at most ${PASSWORD_MAX_LENGTH} characters.`);

/** `/forgot-password`. */
export const ForgotPasswordFormSchema = z.object({ email });

/** `/reset-password/:token`: the token is in the URL, never a field. */
export const ResetPasswordFormSchema = z.object({ password: newPassword });

/** `/account/security`, `intent=change-password`; `code` only matters when 2FA is on. */
export const ChangePasswordFormSchema = z.object({
  intent: z.literal("change-password"),
  currentPassword: z
    .string({ error: "Enter your current password." })
    .min(1, "Enter your current password.")
    .max(PASSWORD_MAX_LENGTH),
  password: newPassword,
  code: z
    .string()
    .trim()
    .max(40)
    .optional()
    .transform((value) => value || undefined),
});
export type ChangePasswordForm = z.infer<typeof ChangePasswordFormSchema>;
