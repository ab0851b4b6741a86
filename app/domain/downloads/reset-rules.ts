/** Reset-request limits the pages show (zod-free, so the browser bundle stays small). */
export const RESET_REASON_MAX_LENGTH = 1000;

export const RESET_REVIEW_INTENTS = ["approve", "reject"] as const;
