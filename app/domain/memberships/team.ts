/**
 * Shared memberships (issue 15 item 1): the limits the team forms and the service share. Zod-free,
 * so the account page can read them for `max` and `maxLength`.
 */

/** The intents of /account/membership that belong to the team section. */
export const TEAM_INTENTS = [
  "invite",
  "revoke-invitation",
  "remove-member",
  "set-cap",
  "leave",
] as const;
export type TeamIntent = (typeof TEAM_INTENTS)[number];

export const isTeamIntent = (value: unknown): value is TeamIntent =>
  typeof value === "string" && (TEAM_INTENTS as readonly string[]).includes(value);

/** The largest per-period cap an owner may set on a teammate. */
export const TEAM_CAP_MAX = 10_000;

/** How long an emailed invitation works. */
export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** The shape of an invitation token in a URL: base64url of 32 random bytes. */
export const INVITATION_TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** Seats still free: the tier's seats minus people on it and invitations still waiting. */
export function seatsLeft(input: { seats: number; members: number; pending: number }): number {
  return Math.max(0, input.seats - input.members - input.pending);
}

/** The join link of an invitation. */
export const invitationLink = (origin: string, token: string) =>
  `${origin}/account/membership/join/${token}`;
