/** Money is integer minor units everywhere; only formatting turns it into text. */

// Building an Intl.NumberFormat costs far more than formatting with one (issue 17: 5–17% of a
// page's CPU went to this), so each locale and currency gets one formatter per isolate.
interface CurrencyFormat {
  formatter: Intl.NumberFormat;
  /** Digits of the currency's minor unit, read once (resolvedOptions builds a new object). */
  digits: number;
}
const formats = new Map<string, CurrencyFormat>();

/** The formatter for a locale and currency, built once per isolate. Exported for its test. */
export function currencyFormat(locale: string, currency: string): CurrencyFormat {
  const key = `${locale}\u0000${currency}`;
  let format = formats.get(key);
  if (!format) {
    const formatter = new Intl.NumberFormat(locale, { style: "currency", currency });
    format = { formatter, digits: formatter.resolvedOptions().maximumFractionDigits ?? 2 };
    formats.set(key, format);
  }
  return format;
}

// Formatting with a formatter still costs microseconds of ICU work per call, and pages print the
// same few prices on every render: each text is kept, up to a bound so an isolate stays small.
const MAX_KEPT = 2000;
const texts = new Map<string, string>();

export function formatMoney(cents: number, currency: string, locale = "en-US"): string {
  if (!Number.isInteger(cents))
    throw new TypeError(`Money must be integer minor units, got ${cents}`);
  const key = `${locale}\u0000${currency}\u0000${cents}`;
  let text = texts.get(key);
  if (text === undefined) {
    const { formatter, digits } = currencyFormat(locale, currency);
    text = formatter.format(cents / 10 ** digits);
    if (texts.size >= MAX_KEPT) texts.clear();
    texts.set(key, text);
  }
  return text;
}

/** Digits after the decimal point of a currency's minor unit (USD 2, JPY 0). */
export function minorUnitDigits(currency: string): number {
  return currencyFormat("en-US", currency).digits;
}

/**
 * A decimal amount typed into a form ("19", "19.5", "1299.00") as integer minor units, or
 * null when it is not plain digits with at most the currency's decimals after a point.
 * Separators are refused, not guessed: "1,00" is one euro to some and a hundred to others.
 * Parsed from the text, never through floating point, so "0.29" is exactly 29 cents.
 */
export function parseMoney(text: string, currency: string): number | null {
  const digits = minorUnitDigits(currency);
  const match = /^(\d{1,9})(?:\.(\d*))?$/.exec(text.trim());
  if (!match) return null;
  const fraction = match[2] ?? "";
  if (fraction.length > digits) return null;
  const cents = Number(match[1]) * 10 ** digits + Number(fraction.padEnd(digits, "0") || "0");
  return Number.isSafeInteger(cents) ? cents : null;
}

/** Minor units back into the plain decimal text a form field shows ("19.50"). */
export function moneyInputValue(cents: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  if (digits === 0) return String(cents);
  const whole = Math.trunc(cents / 10 ** digits);
  const fraction = String(cents % 10 ** digits).padStart(digits, "0");
  return `${whole}.${fraction}`;
}
