import { describe, expect, it } from "vitest";
import { productCount } from "~/domain/catalog/price-filter";

describe("productCount", () => {
  it("names one product, many products and groups thousands the en-GB way", () => {
    expect(productCount(0)).toBe("0 products");
    expect(productCount(1)).toBe("1 product");
    expect(productCount(24)).toBe("24 products");
    expect(productCount(1024)).toBe("1,024 products");
  });
});
