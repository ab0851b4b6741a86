/** Limits of the profile form that the page needs too (zod-free, so the page may import it). */
export const PROFILE_NAME_MAX_LENGTH = 100;
