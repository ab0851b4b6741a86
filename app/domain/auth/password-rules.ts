/** Password length rules, kept free of zod so the sign-up page can show them without shipping it. */
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 200;
