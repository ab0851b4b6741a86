import { z } from "~/lib/zod";

/**
 * The "send the email again" button of a minor waiting for their guardian (on /account and
 * /account/security). In its own module so the browser bundle never pulls in zod.
 */
export const ResendConsentFormSchema = z.object({
  // Back to the account page the button was on; nothing else, so this can't be an open redirect.
  redirectTo: z
    .string()
    .regex(/^\/account(\/[a-z0-9-]+)*$/)
    .catch("/account"),
});
