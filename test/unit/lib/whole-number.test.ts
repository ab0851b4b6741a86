import { describe, expect, it } from "vitest";
import { AdminAddOnFormSchema } from "~/domain/projects/project-forms";
import { MembershipAdminFormSchema } from "~/domain/memberships/forms";
import { parseForm } from "~/lib/forms.server";
import { wholeNumber } from "~/lib/zod";

const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.set(key, value);
  return data;
};

describe("wholeNumber", () => {
  const schema = wholeNumber("Enter a whole number.");
  it("reads a sign and decimal digits", () => {
    expect(schema.parse("42")).toBe(42);
    expect(schema.parse(" -5 ")).toBe(-5);
    expect(schema.parse("+7")).toBe(7);
  });

  it("refuses what Number() would read leniently", () => {
    for (const text of [
      "1e3",
      "0x10",
      "0b11",
      "0o7",
      "1.0",
      "1,000",
      "",
      " ",
      "Infinity",
      "1_000",
    ]) {
      expect(schema.safeParse(text).success, JSON.stringify(text)).toBe(false);
    }
  });
});

describe("credit amounts typed by staff", () => {
  const adjust = (amount: string) =>
    parseForm(
      form({ intent: "adjust", amount, reason: "Goodwill for a late delivery", token: "abcdef12" }),
      MembershipAdminFormSchema,
    );

  it("an adjustment of 1e3 or 0x10 is refused with a sentence, not read as 1000 or 16", () => {
    for (const amount of ["1e3", "0x10", "1,5"]) {
      const result = adjust(amount);
      expect(result.ok, amount).toBe(false);
      if (!result.ok) expect(result.reply.fieldErrors?.amount).toBeTruthy();
    }
    expect(adjust("-12")).toMatchObject({ ok: true, value: { amount: -12 } });
  });

  it("a custom add-on price of 0x10 is refused", () => {
    const result = parseForm(
      form({ intent: "price", addOnId: "abc123", credits: "0x10", notes: "" }),
      AdminAddOnFormSchema,
    );
    expect(result.ok).toBe(false);
  });
});
