/** Age rules for sign-up (docs/architecture.md §5): under 13 refused, 13–17 need a guardian's consent. */
export const MINIMUM_AGE = 13;
export const ADULT_AGE = 18;

export type AgeBracket = "too-young" | "minor" | "adult";

/** Whole years between a `YYYY-MM-DD` birth date and `now`, in UTC. */
export function ageOn(birthDate: string, now: Date): number {
  const [year, month, day] = birthDate.split("-").map(Number) as [number, number, number];
  let age = now.getUTCFullYear() - year;
  const beforeBirthday =
    now.getUTCMonth() + 1 < month || (now.getUTCMonth() + 1 === month && now.getUTCDate() < day);
  if (beforeBirthday) age -= 1;
  return age;
}

export function ageBracket(birthDate: string, now: Date): AgeBracket {
  const age = ageOn(birthDate, now);
  if (age < MINIMUM_AGE) return "too-young";
  if (age < ADULT_AGE) return "minor";
  return "adult";
}

/** A real calendar date, not in the future, not absurdly old. */
export function isPlausibleBirthDate(value: string, now: Date): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) return false;
  return date.getTime() <= now.getTime() && ageOn(value, now) <= 120;
}

/** Minors may browse; buying and starting projects waits for the guardian's consent. */
export function needsGuardianConsent(user: {
  isMinor: boolean;
  guardianConsentAt: Date | string | null;
}): boolean {
  return user.isMinor && !user.guardianConsentAt;
}
