import { z } from "~/lib/zod";
import { ageBracket, isPlausibleBirthDate } from "./age";
import { sameMailbox } from "./email-rules";
import { safeRedirectPath } from "./redirects";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "./password-rules";

export { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH };

/** An email address as every form reads it: trimmed, lower-cased, checked. */
export const EmailAddressSchema = z
  .string({ error: "Enter your email address." })
  .trim()
  .toLowerCase()
  .max(254, "That email address is too long.")
  .pipe(z.email({ error: "Enter a valid email address, like name@example.com." }));

/** Where to go after logging in: only paths on this site, never another origin. */
export const SafeRedirectSchema = z
  .string()
  .optional()
  .transform((value) => safeRedirectPath(value));

export const email = EmailAddressSchema;

export const LoginFormSchema = z.object({
  email,
  password: z
    .string({ error: "Enter your password." })
    .min(1, "Enter your password.")
    .max(PASSWORD_MAX_LENGTH),
  redirectTo: SafeRedirectSchema,
  fingerprint: z.string().max(200).optional(),
});

/** Sign-up rules depend on today's date (age), so the schema is made for a given `now`. */
export function signupFormSchema(now: Date) {
  return z
    .object({
      email,
      name: z
        .string({ error: "Enter your name." })
        .trim()
        .min(1, "Enter your name.")
        .max(100, "Use at most 100 characters."),
      password: z
        .string({ error: "Choose a password." })
        .min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters.`)
        .max(PASSWORD_MAX_LENGTH, `Use at most ${PASSWORD_MAX_LENGTH} characters.`),
      birthDate: z
        .string({ error: "Enter your date of birth." })
        .trim()
        .refine(
          (value) => isPlausibleBirthDate(value, now),
          "Enter a real date of birth (YYYY-MM-DD).",
        ),
      guardianEmail: z
        .string()
        .trim()
        .toLowerCase()
        .optional()
        .transform((value) => value || undefined),
      fingerprint: z.string().max(200).optional(),
    })
    .superRefine((form, ctx) => {
      if (!isPlausibleBirthDate(form.birthDate, now)) return;
      const bracket = ageBracket(form.birthDate, now);
      if (bracket === "too-young") {
        ctx.addIssue({
          code: "custom",
          path: ["birthDate"],
          message: "You need to be at least 13 years old to create an account.",
        });
      }
      if (bracket === "minor") {
        const parsed = email.safeParse(form.guardianEmail ?? "");
        if (!parsed.success) {
          ctx.addIssue({
            code: "custom",
            path: ["guardianEmail"],
            message:
              "Under 18s need a parent or guardian's email address; we'll ask them to agree.",
          });
        } else if (sameMailbox(parsed.data, form.email)) {
          // Also `me+parent@…` and other spellings of the same mailbox: consent must come
          // from someone else's inbox.
          ctx.addIssue({
            code: "custom",
            path: ["guardianEmail"],
            message: "Your guardian's email must be different from yours.",
          });
        }
      }
    });
}
export type SignupForm = z.infer<ReturnType<typeof signupFormSchema>>;

/**
 * The `/login/2fa` form: a TOTP code or a recovery code. Where to go next is not a field: it
 * comes from the signed log-in challenge, or from the URL for a session stepping up.
 */
export const TwoFactorCodeFormSchema = z.object({
  code: z
    .string({ error: "Enter the 6-digit code from your app, or a recovery code." })
    .trim()
    .min(6, "Enter the 6-digit code from your app, or a recovery code.")
    .max(40),
});

/** The `/account/two-factor` actions. */
export const TwoFactorIntentSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("begin") }),
  z.object({
    intent: z.literal("confirm"),
    code: z.string().trim().min(1, "Enter the 6-digit code from your app."),
  }),
  z.object({
    intent: z.literal("disable"),
    code: z.string().trim().min(1, "Enter a current code or a recovery code."),
  }),
]);

/** `/account/security?cursor=&required=2fa`, parsed leniently. */
export const SecurityPageQuerySchema = z.object({
  cursor: z.string().max(200).nullable().catch(null),
  required: z.enum(["2fa"]).nullable().catch(null),
});

/** The `/account/security` actions. */
export const SecurityActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("revoke-device"), deviceId: z.string().min(1).max(64) }),
  z.object({ intent: z.literal("log-out-others") }),
]);

/** A guardian consent token from the URL (its signature is checked by the service). */
export const ConsentTokenSchema = z.string().min(16).max(4096);
