import type { CreditTransactionType } from "#db/schema/enums";

/**
 * The ledger's invariants (issue 6), checked over a membership's rows in order:
 * - each row's balance = the previous balance + its amount (the first: 0 + amount);
 * - no balance is negative;
 * - a ROLLOVER never carries more than the cap, nor more than the EXPIRY right before it took;
 * - the last balance = total_credits − used_credits on the membership;
 * - the paid bucket (credits bought in packs, ADR 0010): 0 ≤ paid ≤ balance on every row; a
 *   TOP_UP adds its whole amount to it; EXPIRY, ROLLOVER, allocations and positive adjustments
 *   leave it alone — renewal never expires a paid credit; a spend (or a negative adjustment)
 *   takes period credits first (paid after = min(paid before, balance)), or the whole amount
 *   out of the paid bucket for a refunded pack; a REFUND gives back at most its amount; and
 *   the last paid balance = paid_credits on the membership. Only the expiry of an erased
 *   account's membership (balance 0) may empty the paid bucket.
 */
export interface LedgerRow {
  id: string;
  type: CreditTransactionType;
  amount: number;
  balance: number;
  paidBalance: number;
}

/** The paid balance a row may leave, given the one before it (see the rules above). */
function allowedPaid(row: LedgerRow, paidBefore: number): readonly number[] {
  const spentFirstFromPeriod = Math.min(paidBefore, row.balance);
  switch (row.type) {
    case "TOP_UP":
      return [paidBefore + row.amount];
    case "USAGE":
      return [spentFirstFromPeriod];
    case "EXPIRY":
      return row.balance === 0 ? [0] : [paidBefore];
    case "ADJUSTMENT":
      return row.amount > 0 ? [paidBefore] : [spentFirstFromPeriod, paidBefore + row.amount];
    case "REFUND":
      return Array.from({ length: row.amount + 1 }, (_, given) => paidBefore + given);
    default:
      return [paidBefore];
  }
}

export interface LedgerCheck {
  ok: boolean;
  rows: number;
  problems: string[];
}

export function checkLedgerRows(
  rows: readonly LedgerRow[],
  membership: { totalCredits: number; usedCredits: number; paidCredits: number },
  rolloverCap: number,
): LedgerCheck {
  const problems: string[] = [];
  let previous = 0;
  let paid = 0;
  let expiredBefore: number | null = null;
  for (const row of rows) {
    if (row.balance !== previous + row.amount) {
      problems.push(
        `Row ${row.id} (${row.type}): balance ${row.balance} ≠ ${previous} + ${row.amount}.`,
      );
    }
    if (row.balance < 0) problems.push(`Row ${row.id} (${row.type}): negative balance.`);
    if (row.paidBalance < 0 || row.paidBalance > row.balance) {
      problems.push(
        `Row ${row.id} (${row.type}): paid part ${row.paidBalance} outside 0…${row.balance}.`,
      );
    } else if (!allowedPaid(row, paid).includes(row.paidBalance)) {
      problems.push(
        `Row ${row.id} (${row.type}): paid part ${row.paidBalance} does not follow from ${paid}.`,
      );
    }
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
    paid = row.paidBalance;
  }
  if (paid !== membership.paidCredits) {
    problems.push(
      `The last paid part is ${paid}, but the membership holds ${membership.paidCredits} paid credits.`,
    );
  }
  const expected = membership.totalCredits - membership.usedCredits;
  if (previous !== expected) {
    problems.push(
      `The last balance is ${previous}, but the membership holds ${expected} (total ${membership.totalCredits} − used ${membership.usedCredits}).`,
    );
  }
  return { ok: problems.length === 0, rows: rows.length, problems };
}
