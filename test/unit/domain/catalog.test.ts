import { describe, expect, it } from "vitest";
import {
  likePattern,
  parseCatalogQuery,
  parsePriceLimit,
  readCatalogSearch,
} from "~/domain/catalog/filters";
import { licenseOptions } from "~/domain/catalog/license-options";
import { formatMoney } from "~/domain/money";

describe("catalog query", () => {
  it("keeps valid filters and drops invalid ones instead of failing", () => {
    expect(
      parseCatalogQuery(new URLSearchParams("q=%20icons%20&category=THEME&tag=Dark-Mode")),
    ).toEqual({
      q: "icons",
      category: "THEME",
      tag: "dark-mode",
      cursor: undefined,
    });
    expect(parseCatalogQuery(new URLSearchParams("category=WEAPONS&tag=<script>&q="))).toEqual({
      q: undefined,
      category: undefined,
      tag: undefined,
      cursor: undefined,
    });
  });

  it("reads whole-unit prices and names what is wrong with a bad one", () => {
    expect(parsePriceLimit("")).toEqual({ ok: true, value: undefined });
    expect(parsePriceLimit(" 50 ")).toEqual({ ok: true, value: 50 });
    expect(parsePriceLimit("0")).toEqual({ ok: true, value: 0 });
    expect(parsePriceLimit("-1")).toMatchObject({ ok: false, message: /negative/ });
    expect(parsePriceLimit("9.99")).toMatchObject({ ok: false, message: /without cents/ });
    expect(parsePriceLimit("ten")).toMatchObject({ ok: false, message: /whole number/ });
    expect(parsePriceLimit("1e3")).toMatchObject({ ok: false, message: /whole number/ });
    expect(parsePriceLimit("100001")).toMatchObject({ ok: false, message: /at most/ });
  });

  it("keeps price mistakes as field errors and leaves those prices out of the query", () => {
    const search = readCatalogSearch(
      new URLSearchParams("minPrice=60&maxPrice=20&sort=popular&tag=dark"),
    );
    expect(search.fieldErrors).toEqual({
      maxPrice: "The maximum price must be at least the minimum price.",
    });
    expect(search.values).toEqual({ minPrice: "60", maxPrice: "20" });
    expect(search.query).toMatchObject({ sort: "popular", tag: "dark" });
    expect(search.query.minPrice).toBeUndefined();
    expect(readCatalogSearch(new URLSearchParams("sort=cheapest")).query.sort).toBeUndefined();
    expect(readCatalogSearch(new URLSearchParams("minPrice=5&maxPrice=5")).fieldErrors).toEqual({});
  });

  it("escapes LIKE wildcards so a search means its literal text", () => {
    expect(likePattern("50%_off\\")).toBe("%50\\%\\_off\\\\%");
  });
});

describe("license options", () => {
  it("offers only the licenses that have a price, with team seats in the summary", () => {
    const options = licenseOptions({
      pricePersonalCents: 1000,
      priceCommercialCents: null,
      priceTeamCents: 5000,
      teamSeats: 8,
    });
    expect(options.map((option) => option.type)).toEqual(["PERSONAL", "TEAM"]);
    expect(options[1]!.summary).toContain("8 people");
  });
});

describe("money", () => {
  it("formats integer minor units, including zero-decimal currencies", () => {
    expect(formatMoney(4900, "USD")).toBe("$49.00");
    expect(formatMoney(4900, "JPY")).toBe("¥4,900");
  });

  it("refuses fractional cents", () => {
    expect(() => formatMoney(10.5, "USD")).toThrow(/integer minor units/);
  });
});
