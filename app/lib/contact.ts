/**
 * Where people write to the studio (footer, /privacy, /terms): privacy requests, refunds,
 * licence questions. Configured in code like the tiers (app/domain/memberships/tiers.ts), so
 * public pages stay the same for every visitor and cacheable.
 */
export const CONTACT_EMAIL = "hello@studio-store.example";
