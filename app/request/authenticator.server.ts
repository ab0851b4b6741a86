import type { AppLoadContext } from "@remix-run/cloudflare";
import { Authenticator } from "remix-auth";
import { FormStrategy } from "remix-auth-form";
import { LoginFormSchema, fieldErrors, type LoginForm } from "~/domain/auth/forms";
import { checkPassword, type PasswordCheck } from "~/services/auth/login.server";
import { clientIp } from "./auth.server";

export type LoginOutcome =
  | { kind: "invalid-form"; fieldErrors: Record<string, string>; email: string }
  | { kind: "checked"; form: LoginForm; check: PasswordCheck };

/**
 * remix-auth's Authenticator with the form strategy, built per request from the load
 * context (bindings live there, not in module globals). The strategy returns the outcome
 * of the password step; the route decides what comes next (2FA, session, error).
 */
export function createAuthenticator(context: AppLoadContext) {
  const authenticator = new Authenticator<LoginOutcome>();
  authenticator.use(
    new FormStrategy(async ({ form, request }) => {
      const parsed = LoginFormSchema.safeParse(Object.fromEntries(form));
      if (!parsed.success) {
        return {
          kind: "invalid-form",
          fieldErrors: fieldErrors(parsed.error),
          email: String(form.get("email") ?? ""),
        };
      }
      const check = await checkPassword(
        { db: context.db, env: context.env },
        {
          email: parsed.data.email,
          password: parsed.data.password,
          fingerprint: parsed.data.fingerprint,
          userAgent: request.headers.get("User-Agent"),
          ip: clientIp(request),
          requestId: context.requestId,
          now: new Date(),
        },
      );
      return { kind: "checked", form: parsed.data, check };
    }),
    "form",
  );
  return authenticator;
}
