import type { CreditTransactionType } from "#db/schema/enums";

/**
 * The ledger's invariants (issue 6), checked over a membership's rows in order:
 * - each row's balance = the previous balance + its amount (the first: 0 + amount);
 * - no balance is negative;
 * - a ROLLOVER never carries more than the cap, nor more than the EXPIRY right before it took;
 * - the last balance = total_credits − used_credits on the membership.
 */
export interface LedgerRow {
  id: string;
  type: CreditTransactionType;
  amount: number;
  balance: number;
}

export interface LedgerCheck {
  ok: boolean;
  rows: number;
  problems: string[];
}

export function checkLedgerRows(
  rows: readonly LedgerRow[],
  membership: { totalCredits: number; usedCredits: number },
  rolloverCap: number,
): LedgerCheck {
  const problems: string[] = [];
  let previous = 0;
  let expiredBefore: number | null = null;
  for (const row of rows) {
    if (row.balance !== previous + row.amount) {
      problems.push(
        `Row ${row.id} (${row.type}): balance ${row.balance} ≠ ${previous} + ${row.amount}.`,
      );
    }
    if (row.balance < 0) problems.push(`Row ${row.id} (${row.type}): negative balance.`);
    if (row.type === "ROLLOVER") {
      if (row.amount > rolloverCap) {
        problems.push(`Row ${row.id}: rollover ${row.amount} exceeds the cap of ${rolloverCap}.`);
      }
      if (expiredBefore === null || row.amount > expiredBefore) {
        problems.push(
          `Row ${row.id}: rollover ${row.amount} is more than the credits that expired.`,
        );
      }
    }
    expiredBefore = row.type === "EXPIRY" ? -row.amount : null;
    previous = row.balance;
  }
  const expected = membership.totalCredits - membership.usedCredits;
  if (previous !== expected) {
    problems.push(
      `The last balance is ${previous}, but the membership holds ${expected} (total ${membership.totalCredits} − used ${membership.usedCredits}).`,
    );
  }
  return { ok: problems.length === 0, rows: rows.length, problems };
}
