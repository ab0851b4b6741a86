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

  it("refuses fractional minor units", () => {
    expect(() => formatMoney(1.5, "USD")).toThrow(TypeError);
  });
});
