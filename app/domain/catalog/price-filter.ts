/** The highest `maxPrice` a visitor can ask for, in whole currency units (zod-free for the page). */
export const MAX_PRICE_FILTER = 100_000;
