import { data, type AppLoadContext } from "@remix-run/cloudflare";
import { needsStepUp, STEP_UP_MAX_AGE_MS, stepUpIsFresh } from "~/domain/auth/route-policy";
import { refuse, type Refusal } from "~/domain/refusal";
import { refusalReply, type FormReply } from "~/lib/form-reply";
import { verifyStepUpCode } from "~/services/two-factor.server";
import { auditRequestInfo, type CurrentUser } from "./auth.server";
import { refusalStatus } from "./refusals.server";

/** The form field a staff member types the code into (never sent back: ~/lib/form-reply). */
export const STEP_UP_FIELD = "code";
const CODE_MAX_LENGTH = 40;

const CODE_NEEDED = refuse(
  "forbidden",
  "step-up-required",
  `Confirm it's you: enter the current code from your authenticator app. This action needs a code from the last ${STEP_UP_MAX_AGE_MS / 60_000} minutes.`,
);

/** The form again, as it was typed, with the code field shown and the sentence on it. */
function stepUpReply(formData: FormData, refusal: Refusal) {
  const reply: FormReply = { ...refusalReply(formData, refusal), stepUp: true };
  return data(reply, { status: refusalStatus(refusal) });
}

/**
 * Staff step-up (route-policy STEP_UP_INTENTS): null when `intent` on `routeId` may go on —
 * it needs no fresh code, this session proved one in the last 10 minutes, or the form carries
 * a correct one (which marks the session verified now). Otherwise the reply to return: 403
 * asking for the code, or the code's refusal (wrong, used, too many), the form kept either way.
 * Call it after the permission check and the form's own validation, before the service.
 */
export async function stepUp(
  { request, context }: { request: Request; context: AppLoadContext },
  input: {
    user: CurrentUser;
    routeId: string;
    intent: string | null;
    formData: FormData;
    now: Date;
  },
) {
  const { user, formData, now } = input;
  if (!needsStepUp(input.routeId, input.intent)) return null;
  if (stepUpIsFresh(user.twoFactorVerifiedAt, now)) return null;

  const raw = formData.get(STEP_UP_FIELD);
  const code = typeof raw === "string" ? raw.trim() : "";
  if (code === "") return stepUpReply(formData, CODE_NEEDED);
  if (code.length > CODE_MAX_LENGTH) {
    return stepUpReply(
      formData,
      refuse("invalid", "invalid-code", "That code isn't right.", { field: STEP_UP_FIELD }),
    );
  }
  const verified = await verifyStepUpCode(
    { db: context.db, env: context.env },
    {
      userId: user.id,
      sessionId: user.sessionId,
      code,
      now,
      request: await auditRequestInfo(request, context),
    },
  );
  return verified.ok ? null : stepUpReply(formData, verified);
}
