import { describe, expect, it } from "vitest";
import { DEFAULT_AFTER_LOGIN, safeRedirectPath } from "~/domain/auth/redirects";

describe("safeRedirectPath", () => {
  it("keeps paths on this site, with their query and fragment", () => {
    for (const path of ["/account", "/account/licenses?page=2", "/products/a-b#reviews", "/"]) {
      expect(safeRedirectPath(path)).toBe(path);
    }
  });

  it("refuses every way of reaching another origin that a browser would follow", () => {
    const attacks = [
      "/\t/evil.example", // the reported attack: browsers drop the tab → //evil.example
      "/\n/evil.example",
      "/\r/evil.example",
      "/ /evil.example",
      "/\u00a0/evil.example",
      "/\u2028/evil.example",
      "/\ufeff/evil.example",
      "/\\evil.example",
      "/\\/evil.example",
      "//evil.example",
      "https://evil.example/",
      "http:evil.example",
      "javascript:alert(1)",
      "evil.example",
      "\t//evil.example",
      "",
      "/" + "a".repeat(2001),
    ];
    for (const attack of attacks) {
      expect(safeRedirectPath(attack), JSON.stringify(attack)).toBe(DEFAULT_AFTER_LOGIN);
    }
    expect(safeRedirectPath(null)).toBe(DEFAULT_AFTER_LOGIN);
    expect(safeRedirectPath(undefined, "/admin")).toBe("/admin");
  });

  it("keeps an encoded tab encoded: it stays a path on this site", () => {
    expect(safeRedirectPath("/%09/evil.example")).toBe("/%09/evil.example");
    expect(new URL(safeRedirectPath("/%09/evil.example"), "https://shop.example").host).toBe(
      "shop.example",
    );
  });
});
