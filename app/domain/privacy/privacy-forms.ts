import { z } from "~/lib/zod";
import { PASSWORD_MAX_LENGTH } from "~/domain/auth/password-rules";
import { DELETE_CONFIRMATION } from "./deletion";

/** `/account/privacy`, intent=delete (issue 13 §12): password, 2FA code when on, typed DELETE. */
export const AccountDeletionFormSchema = z.object({
  intent: z.literal("delete"),
  password: z
    .string({ error: "Enter your password." })
    .min(1, "Enter your password.")
    .max(PASSWORD_MAX_LENGTH),
  code: z
    .string()
    .trim()
    .max(40)
    .optional()
    .transform((value) => value || undefined),
  confirm: z
    .string({ error: `Type ${DELETE_CONFIRMATION} to confirm.` })
    .trim()
    .refine((value) => value === DELETE_CONFIRMATION, `Type ${DELETE_CONFIRMATION} to confirm.`),
});
export type AccountDeletionForm = z.infer<typeof AccountDeletionFormSchema>;
