import { describe, expect, it } from "vitest";
import { timingSafeEqual } from "~/lib/constant-time";

describe("timingSafeEqual", () => {
  it("accepts equal strings and equal byte arrays", () => {
    expect(timingSafeEqual("s3cret-token", "s3cret-token")).toBe(true);
    expect(timingSafeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 3))).toBe(true);
    expect(timingSafeEqual("", "")).toBe(true);
  });

  it("rejects values that differ in any single byte", () => {
    const base = Uint8Array.from({ length: 32 }, (_, i) => i);
    for (let i = 0; i < base.length; i++) {
      const changed = base.slice();
      changed[i] = changed[i]! ^ 0x01;
      expect(timingSafeEqual(base, changed)).toBe(false);
    }
  });

  it("rejects values of different lengths, including prefixes", () => {
    expect(timingSafeEqual("abc", "abcd")).toBe(false);
    expect(timingSafeEqual("abcd", "abc")).toBe(false);
    expect(timingSafeEqual("", "a")).toBe(false);
    expect(timingSafeEqual(new Uint8Array(0), Uint8Array.of(0))).toBe(false);
  });

  it("does not treat a length mismatch padded with zero bytes as equal", () => {
    expect(timingSafeEqual(Uint8Array.of(1, 0), Uint8Array.of(1))).toBe(false);
  });

  it("compares strings as UTF-8 and mixes strings with bytes", () => {
    expect(timingSafeEqual("é", Uint8Array.of(0xc3, 0xa9))).toBe(true);
    expect(timingSafeEqual("é", "e\u0301")).toBe(false);
  });
});
