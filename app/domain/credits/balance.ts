/**
 * Remaining credits are derived, never stored (docs/architecture.md §3): the ledger and the two
 * counters on the membership are the only truth.
 */
export function remainingCredits(membership: {
  totalCredits: number;
  usedCredits: number;
}): number {
  return membership.totalCredits - membership.usedCredits;
}
