/** Money is integer minor units everywhere; only formatting turns it into text. */
export function formatMoney(cents: number, currency: string, locale = "en-US"): string {
  if (!Number.isInteger(cents))
    throw new TypeError(`Money must be integer minor units, got ${cents}`);
  const formatter = new Intl.NumberFormat(locale, { style: "currency", currency });
  const fractionDigits = formatter.resolvedOptions().maximumFractionDigits ?? 2;
  return formatter.format(cents / 10 ** fractionDigits);
}
