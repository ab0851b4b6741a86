import { describe, expect, it } from "vitest";
import {
  generateLicenseKey,
  LICENSE_KEY_ENTROPY_BITS,
  LICENSE_KEY_PATTERN,
  maskLicenseKey,
  normalizeLicenseKey,
} from "~/domain/licenses/key";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

describe("license keys", () => {
  it("have the XXXXX-XXXXX-XXXXX-XXXXX-XXXXX shape", () => {
    for (let i = 0; i < 50; i++) expect(generateLicenseKey()).toMatch(LICENSE_KEY_PATTERN);
  });

  it("carry at least 128 bits of entropy", () => {
    expect(LICENSE_KEY_ENTROPY_BITS).toBeGreaterThanOrEqual(128);
    expect(25 * Math.log2(ALPHABET.length)).toBeCloseTo(LICENSE_KEY_ENTROPY_BITS);
  });

  it("are all different", () => {
    const keys = new Set(Array.from({ length: 2000 }, () => generateLicenseKey()));
    expect(keys.size).toBe(2000);
  });

  it("use every symbol about equally often (no modulo bias)", () => {
    const counts = new Map<string, number>();
    const keys = 4000;
    for (let i = 0; i < keys; i++) {
      for (const symbol of generateLicenseKey().replaceAll("-", "")) {
        counts.set(symbol, (counts.get(symbol) ?? 0) + 1);
      }
    }
    expect(counts.size).toBe(ALPHABET.length);
    const expected = (keys * 25) / ALPHABET.length; // ≈ 2778
    // Chi-squared with 35 degrees of freedom: 99.99 % of fair samples stay below ~80.
    let chiSquared = 0;
    for (const count of counts.values()) chiSquared += (count - expected) ** 2 / expected;
    expect(chiSquared).toBeLessThan(80);
  });

  it("skip random bytes that would bias the alphabet (rejection sampling)", () => {
    // 252..255 must be thrown away; 0 maps to "A", 35 to "9", 36 back to "A".
    let call = 0;
    const random = (bytes: Uint8Array) => {
      call++;
      bytes.fill(call === 1 ? 255 : 0);
      bytes[0] = call === 1 ? 252 : 35;
      return bytes;
    };
    const key = generateLicenseKey(random);
    expect(key).toBe("9AAAA-AAAAA-AAAAA-AAAAA-AAAAA");
  });

  it("normalize what people type: case, spaces and dashes", () => {
    const key = "ABCDE-FGHIJ-KLMNO-PQRST-UVW12";
    expect(normalizeLicenseKey(key)).toBe(key);
    expect(normalizeLicenseKey(key.toLowerCase())).toBe(key);
    expect(normalizeLicenseKey(key.replaceAll("-", ""))).toBe(key);
    expect(normalizeLicenseKey(` abcde fghij-klmno pqrst uvw12 `)).toBe(key);
  });

  it("refuse text that cannot be a key", () => {
    for (const input of [
      "",
      "ABCDE",
      "ABCDE-FGHIJ-KLMNO-PQRST-UVW1",
      "ABCDE-FGHIJ-KLMNO-PQRST-UVW1!",
    ]) {
      expect(normalizeLicenseKey(input), input).toBeNull();
    }
    expect(normalizeLicenseKey("ABCDE-FGHIJ-KLMNO-PQRST-UVW123")).toBeNull();
  });

  it("are masked down to their last five symbols", () => {
    const masked = maskLicenseKey("AB12C");
    expect(masked).toBe("•••••-•••••-•••••-•••••-AB12C");
    expect(masked).not.toMatch(/[A-Z0-9]{6}/);
  });
});
