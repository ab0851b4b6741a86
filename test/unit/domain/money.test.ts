import { describe, expect, it } from "vitest";
import { currencyFormat, formatMoney, minorUnitDigits, parseMoney } from "~/domain/money";

describe("formatMoney", () => {
  it("formats minor units in the currency's own digits", () => {
    expect(formatMoney(1999, "USD")).toBe("$19.99");
    expect(formatMoney(1999, "JPY")).toBe("¥1,999");
    expect(formatMoney(123456, "EUR", "de-DE")).toBe("1.234,56\u00a0€");
    expect(minorUnitDigits("JPY")).toBe(0);
    expect(parseMoney("19.5", "USD")).toBe(1950);
  });

  it("builds one Intl.NumberFormat per locale and currency, not one per call (issue 17)", () => {
    const Original = Intl.NumberFormat;
    let built = 0;
    // A subclass that counts constructions (vi.spyOn cannot stand in for a class).
    Intl.NumberFormat = class extends Original {
      constructor(...args: ConstructorParameters<typeof Original>) {
        super(...args);
        built += 1;
      }
    } as typeof Intl.NumberFormat;
    try {
      for (let i = 0; i < 50; i++) {
        formatMoney(i, "CHF", "fr-CH");
        minorUnitDigits("CHF");
      }
      // fr-CH/CHF and en-US/CHF: two formatters for a hundred calls.
      expect(built).toBe(2);
      expect(currencyFormat("fr-CH", "CHF")).toBe(currencyFormat("fr-CH", "CHF"));
    } finally {
      Intl.NumberFormat = Original;
    }
  });

  it("formats an amount once and prints the kept text after that", () => {
    const Original = Intl.NumberFormat;
    let calls = 0;
    // A locale and currency nothing else formats, so the formatter is made under this spy.
    Intl.NumberFormat = class extends Original {
      override format(value: number | bigint) {
        calls += 1;
        return super.format(value);
      }
    } as typeof Intl.NumberFormat;
    try {
      for (let i = 0; i < 20; i++) expect(formatMoney(4900, "EUR", "en-IE")).toBe("€49.00");
      expect(calls).toBe(1);
      expect(formatMoney(4901, "EUR", "en-IE")).toBe("€49.01");
      expect(calls).toBe(2);
    } finally {
      Intl.NumberFormat = Original;
    }
  });

  it("refuses fractional minor units", () => {
    expect(() => formatMoney(1.5, "USD")).toThrow(TypeError);
  });
});
