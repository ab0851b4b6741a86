import type { Database } from "#db/client";
import type { Result } from "~/domain/refusal";
import type { AuditRequestInfo } from "../audit.server";
import type { AccountTokenRefusal } from "./account-tokens.server";
import { checkEmailChangeLink, confirmEmailChange } from "./email-change.server";
import { checkVerificationLink, verifyEmail } from "./email-verification.server";

/**
 * `/verify-email/<token>` serves both emailed address links: a new account's verification
 * and an email change's confirmation. The token says which (a link of the other purpose is
 * "invalid" to each service), so one page and one button cover both.
 */

export type EmailLinkPurpose = "EMAIL_VERIFICATION" | "EMAIL_CHANGE";

/** What a link would do, without doing it (the page's GET). */
export async function checkEmailLink(
  db: Database,
  input: { token: string | undefined; now: Date },
): Promise<Result<{ purpose: EmailLinkPurpose; email: string }, AccountTokenRefusal>> {
  const verification = await checkVerificationLink(db, input);
  if (verification.ok)
    return { ok: true, purpose: "EMAIL_VERIFICATION", email: verification.email };
  if (verification.reason !== "invalid") return verification;
  const change = await checkEmailChangeLink(db, input);
  return change.ok ? { ok: true, purpose: "EMAIL_CHANGE", email: change.newEmail } : change;
}

/**
 * Use the link (the page's POST): verify the address (and say whose, so the page can log the
 * new account in), or move the account to the new one.
 */
export async function applyEmailLink(
  db: Database,
  input: { token: string | undefined; now: Date; request: AuditRequestInfo },
): Promise<
  Result<
    | { purpose: "EMAIL_VERIFICATION"; userId: string; email: string }
    | { purpose: "EMAIL_CHANGE"; email: string },
    AccountTokenRefusal | "email-taken"
  >
> {
  const verified = await verifyEmail(db, input);
  if (verified.ok) {
    return {
      ok: true,
      purpose: "EMAIL_VERIFICATION",
      userId: verified.userId,
      email: verified.email,
    };
  }
  if (verified.reason !== "invalid") return verified;
  const changed = await confirmEmailChange(db, input);
  return changed.ok ? { ok: true, purpose: "EMAIL_CHANGE", email: changed.newEmail } : changed;
}
