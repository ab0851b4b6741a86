import { z } from "~/lib/zod";
import { PROFILE_NAME_MAX_LENGTH } from "./profile-limits";

/**
 * `/account`, `intent=profile`: the name shown on the site and in emails. The email address
 * and the password change on their own pages (they need a link or the current password).
 */
export const ProfileFormSchema = z.object({
  intent: z.literal("profile"),
  name: z
    .string({ error: "Enter your name." })
    .trim()
    .min(1, "Enter your name.")
    .max(PROFILE_NAME_MAX_LENGTH, `Use at most ${PROFILE_NAME_MAX_LENGTH} characters.`),
});
export type ProfileForm = z.infer<typeof ProfileFormSchema>;
