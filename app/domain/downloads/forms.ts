import { z } from "~/lib/zod";
import { RESET_REQUEST_STATUSES } from "#db/schema/enums";
import { REASON_MAX_LENGTH } from "~/domain/auth/moderation";
import { RESET_REASON_MAX_LENGTH, RESET_REVIEW_INTENTS } from "./reset-rules";

/**
 * The forms of downloads and reset requests. In their own module (imported only by loaders,
 * actions and services) so the browser bundle never pulls in zod.
 */

export const LicenseIdParamSchema = z.object({
  licenseId: z.string().regex(/^[a-z0-9]{1,64}$/),
});

export const DownloadTokenParamSchema = z.object({ token: z.string().min(1).max(1024) });

/** POST /account/licenses/:licenseId/reset-request */
export const ResetRequestFormSchema = z.object({
  reason: z
    .string({ error: "Tell us why you need your downloads back." })
    .trim()
    .min(1, "Tell us why you need your downloads back.")
    .max(RESET_REASON_MAX_LENGTH, `Use at most ${RESET_REASON_MAX_LENGTH} characters.`),
});

/** A moderator's decision, always with notes: the customer sees them either way. */
export const ResetReviewFormSchema = z.object({
  intent: z.enum(RESET_REVIEW_INTENTS),
  notes: z
    .string({ error: "Write a note for the customer." })
    .trim()
    .min(1, "Write a note for the customer.")
    .max(REASON_MAX_LENGTH, `Use at most ${REASON_MAX_LENGTH} characters.`),
});
export type ResetReviewForm = z.infer<typeof ResetReviewFormSchema>;

/** The list filter of /admin/reset-requests, parsed leniently. */
export const ResetRequestSearchSchema = z.object({
  status: z.enum(RESET_REQUEST_STATUSES).optional().catch(undefined),
  cursor: z.string().max(200).optional().catch(undefined),
});
export type ResetRequestSearch = z.infer<typeof ResetRequestSearchSchema>;

export function parseResetRequestSearch(params: URLSearchParams): ResetRequestSearch {
  return ResetRequestSearchSchema.parse({
    status: params.get("status") ?? undefined,
    cursor: params.get("cursor") ?? undefined,
  });
}

/** The page query of /account/downloads. */
export const PageQuerySchema = z.object({
  cursor: z.string().max(200).nullable().catch(null),
});
