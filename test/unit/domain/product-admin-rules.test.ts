import { describe, expect, it } from "vitest";
import {
  ProductAdminFormSchema,
  ProductFormSchema,
  productDiff,
  productFormValues,
} from "~/domain/catalog/product-forms";
import {
  checkDeclaredSize,
  checkUploadType,
  safeFileName,
  sniffImageType,
  uploadKey,
} from "~/domain/catalog/upload-rules";
import { isPublicMediaKey } from "~/domain/catalog/media";
import { moneyInputValue, parseMoney } from "~/domain/money";
import { parseForm } from "~/lib/forms.server";

const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.set(key, value);
  return data;
};

const VALID = {
  name: "Ledger Kit",
  slug: "ledger-kit",
  category: "UI_KIT",
  pricePersonal: "29.90",
  priceCommercial: "",
  priceTeam: "199",
  currency: "USD",
  teamSeats: "5",
  version: "1.2.0",
};

describe("parseMoney", () => {
  it("turns decimal text into exact minor units", () => {
    expect(parseMoney("0.29", "USD")).toBe(29);
    expect(parseMoney("19", "USD")).toBe(1900);
    expect(parseMoney("19.5", "EUR")).toBe(1950);
    expect(parseMoney("1299.00", "USD")).toBe(129_900);
    expect(parseMoney("3000", "JPY")).toBe(3000);
  });

  it("refuses negative amounts, extra decimals and text", () => {
    for (const text of [
      "-1",
      "1.234",
      "abc",
      "",
      "1e3",
      "$5",
      "5.5.5",
      "1,00",
      "1,299.00",
      "0x10",
    ]) {
      expect(parseMoney(text, "USD"), text).toBeNull();
    }
    expect(parseMoney("30.5", "JPY")).toBeNull();
  });

  it("round-trips with moneyInputValue", () => {
    for (const cents of [0, 5, 99, 100, 2990, 123_456]) {
      expect(parseMoney(moneyInputValue(cents, "USD"), "USD")).toBe(cents);
    }
    expect(moneyInputValue(3000, "JPY")).toBe("3000");
  });
});

describe("the product form", () => {
  it("parses every field; empty optional prices are not offered", () => {
    const result = parseForm(
      form({ ...VALID, tags: "A, b-c, a", featured: "on" }),
      ProductFormSchema,
    );
    expect(result).toEqual({
      ok: true,
      value: expect.objectContaining({
        pricePersonalCents: 2990,
        priceCommercialCents: null,
        priceTeamCents: 19_900,
        tags: ["a", "b-c"],
        featured: true,
        status: "DRAFT",
        licenseDurationMonths: null,
        tagline: "",
      }),
    });
  });

  it("reports every bad field at once", () => {
    const result = parseForm(
      form({ ...VALID, slug: "Bad Slug", pricePersonal: "x", licenseDurationMonths: "0" }),
      ProductFormSchema,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.reply.fieldErrors).sort()).toEqual([
      "licenseDurationMonths",
      "pricePersonal",
      "slug",
    ]);
    // The typed values come back with the errors, so nothing is lost.
    expect(result.reply.values).toMatchObject({ slug: "Bad Slug", pricePersonal: "x" });
  });

  it("checks the prices even when the currency is all that is right", () => {
    const result = parseForm(
      form({ ...VALID, name: "", currency: "JPY", pricePersonal: "30.5", priceTeam: "" }),
      ProductFormSchema,
    );
    if (result.ok) throw new Error("invalid form accepted");
    expect(result.reply.fieldErrors).toEqual({
      name: "Give the product a name.",
      pricePersonal: "Enter an amount like 1999 (no currency sign).",
    });
  });

  it("parses the edit page's forms by intent", () => {
    const save = parseForm(form({ intent: "save", ...VALID }), ProductAdminFormSchema);
    expect(save).toMatchObject({
      ok: true,
      value: { intent: "save", fields: { slug: "ledger-kit", pricePersonalCents: 2990 } },
    });
    if (save.ok && save.value.intent === "save")
      expect(save.value.fields).not.toHaveProperty("intent");
    const badSave = parseForm(
      form({ intent: "save", ...VALID, pricePersonal: "" }),
      ProductAdminFormSchema,
    );
    expect(badSave).toMatchObject({
      ok: false,
      reply: {
        intent: "save",
        fieldErrors: { pricePersonal: "Give the personal license a price." },
      },
    });
    expect(
      parseForm(
        form({ intent: "remove-preview", key: "previews/p1/a.png" }),
        ProductAdminFormSchema,
      ),
    ).toEqual({ ok: true, value: { intent: "remove-preview", key: "previews/p1/a.png" } });
    expect(parseForm(form({ intent: "remove-thumbnail" }), ProductAdminFormSchema)).toMatchObject({
      ok: false,
      reply: { fieldErrors: { key: "Choose an image to remove." } },
    });
  });

  it("diffs only the fields that change and round-trips through the form values", () => {
    const parsed = parseForm(form(VALID), ProductFormSchema);
    if (!parsed.ok) throw new Error("valid form refused");
    const { featured, ...typed } = productFormValues(parsed.value);
    const again = parseForm(
      form({ ...typed, ...(featured ? { featured: "on" } : {}) }),
      ProductFormSchema,
    );
    if (!again.ok) throw new Error("round trip refused");
    expect(productDiff(parsed.value, again.value)).toEqual({});
    expect(productDiff(parsed.value, { ...parsed.value, version: "2.0.0" })).toEqual({
      version: { from: "1.2.0", to: "2.0.0" },
    });
  });
});

describe("upload rules", () => {
  it("makes file names safe for keys and headers", () => {
    expect(safeFileName("Starter Kit v1.zip")).toBe("Starter-Kit-v1.zip");
    expect(safeFileName("../../etc/passwd")).toBe("passwd");
    expect(safeFileName('a"b;c.zip')).toBe("a-b-c.zip");
    expect(safeFileName("Café.pdf")).toBe("Cafe.pdf");
    expect(safeFileName("...")).toBeNull();
    expect(safeFileName(`${"x".repeat(300)}.tar.gz`)).toHaveLength(100);
    expect(safeFileName(`${"x".repeat(300)}.tar.gz`)).toMatch(/\.tar\.gz$/);
  });

  it("checks extension and declared type against the kind's allow-list", () => {
    expect(checkUploadType("file", "kit.zip", "application/zip")).toMatchObject({ ok: true });
    expect(checkUploadType("file", "kit.tar.gz", "application/gzip")).toMatchObject({
      ok: true,
      extension: "tar.gz",
    });
    expect(checkUploadType("file", "kit.fig", "")).toMatchObject({ ok: true });
    expect(checkUploadType("file", "kit.exe", "application/octet-stream")).toMatchObject({
      ok: false,
    });
    expect(checkUploadType("file", "kit.zip", "text/html")).toMatchObject({ ok: false });
    expect(checkUploadType("thumbnail", "a.png", "image/png")).toMatchObject({ ok: true });
    expect(checkUploadType("thumbnail", "a.png", "image/jpeg")).toMatchObject({ ok: false });
    expect(checkUploadType("preview", "a.svg", "image/svg+xml")).toMatchObject({ ok: false });
    expect(checkUploadType("preview", "a.png", "application/octet-stream")).toMatchObject({
      ok: false,
    });
  });

  it("requires a Content-Length within the limit", () => {
    expect(checkDeclaredSize("thumbnail", null)).toMatchObject({
      ok: false,
      reason: "length-required",
    });
    expect(checkDeclaredSize("thumbnail", "0")).toMatchObject({ ok: false, reason: "empty" });
    expect(checkDeclaredSize("thumbnail", String(5 * 1024 * 1024))).toMatchObject({ ok: true });
    expect(checkDeclaredSize("thumbnail", String(5 * 1024 * 1024 + 1))).toMatchObject({
      ok: false,
      reason: "too-large",
    });
    expect(checkDeclaredSize("file", "-5")).toMatchObject({ ok: false, reason: "length-required" });
  });

  it("recognises PNG, JPEG and WebP by their first bytes only", () => {
    expect(sniffImageType(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(
      "image/png",
    );
    expect(sniffImageType(new Uint8Array([0xff, 0xd8, 0xff, 0xe1]))).toBe("image/jpeg");
    expect(
      sniffImageType(new Uint8Array([0x52, 0x49, 0x46, 0x46, 0, 0, 0, 0, 0x57, 0x45, 0x42, 0x50])),
    ).toBe("image/webp");
    expect(sniffImageType(new TextEncoder().encode("GIF89a"))).toBeNull();
    expect(sniffImageType(new TextEncoder().encode("<svg onload=alert(1)>"))).toBeNull();
    expect(sniffImageType(new Uint8Array([0x89, 0x50]))).toBeNull();
  });

  it("puts images under the prefixes the public media route serves, files under a private one", () => {
    const name = safeFileName("My Cover (final).png")!;
    expect(isPublicMediaKey(uploadKey("thumbnail", "abc123", "r4nd0m", name))).toBe(true);
    expect(isPublicMediaKey(uploadKey("preview", "abc123", "r4nd0m", name))).toBe(true);
    expect(isPublicMediaKey(uploadKey("file", "abc123", "r4nd0m", "kit.zip"))).toBe(false);
    expect(uploadKey("file", "abc123", "r4nd0m", "kit.zip")).toBe("products/abc123/r4nd0m-kit.zip");
  });
});
