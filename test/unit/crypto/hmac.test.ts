import { describe, expect, it } from "vitest";
import { base64UrlToBytes, bytesToHex } from "~/lib/encoding";
import {
  blindIndex,
  hashIp,
  hmacSha256,
  hmacSha256Hex,
  normalizeIp,
  randomToken,
  sha256Hex,
  sha256TokenHash,
} from "~/lib/hmac.server";

const SECRET = "test-hmac-secret-with-at-least-32-characters";
const HEX_64 = /^[0-9a-f]{64}$/;

describe("hmacSha256", () => {
  // RFC 4231 §4.2 and §4.3.
  it("matches RFC 4231 test case 1", async () => {
    const key = "\x0b".repeat(20);
    expect(bytesToHex(await hmacSha256(key, "Hi There"))).toBe(
      "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
    );
  });

  it("matches RFC 4231 test case 2 (key shorter than the block)", async () => {
    expect(await hmacSha256Hex("Jefe", "what do ya want for nothing?")).toBe(
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
  });

  it("gives different MACs for different secrets", async () => {
    expect(await hmacSha256Hex("a", "message")).not.toBe(await hmacSha256Hex("b", "message"));
  });
});

describe("sha256Hex", () => {
  it('hashes "abc" to the FIPS 180-2 vector', async () => {
    const expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    expect(await sha256Hex("abc")).toBe(expected);
    expect(await sha256Hex(Uint8Array.of(0x61, 0x62, 0x63))).toBe(expected);
    expect(await sha256Hex(Uint8Array.of(0x61, 0x62, 0x63).buffer)).toBe(expected);
  });

  it("hashes only the bytes a view covers", async () => {
    const view = new Uint8Array(Uint8Array.of(0, 0x61, 0x62, 0x63, 0).buffer, 1, 3);
    expect(await sha256Hex(view)).toBe(await sha256Hex("abc"));
  });

  it("hashes the empty string", async () => {
    expect(await sha256Hex("")).toBe(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
  });
});

describe("normalizeIp", () => {
  it.each([
    [" 203.0.113.7 ", "203.0.113.7"],
    ["203.000.113.007", "203.0.113.7"],
    ["2001:DB8::1", "2001:db8::1"],
    [" 2001:0db8:0000:0000:0000:0000:0000:0001\n", "2001:db8::1"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
    ["::", "::"],
    ["::1", "::1"],
    ["fe80::", "fe80::"],
    ["[2001:db8::1]", "2001:db8::1"],
    ["::ffff:203.0.113.7", "203.0.113.7"],
    ["::FFFF:CB00:7107", "203.0.113.7"],
    ["64:ff9b::192.0.2.33", "64:ff9b::c000:221"],
    ["not an ip", "not an ip"],
    ["2001:db8::1::2", "2001:db8::1::2"],
    ["256.1.1.1", "256.1.1.1"],
  ])("normalizes %j to %j", (input, expected) => {
    expect(normalizeIp(input)).toBe(expected);
  });
});

describe("hashIp", () => {
  it("returns a keyed hex digest that does not contain the address", async () => {
    const hashed = await hashIp("203.0.113.7", SECRET);
    expect(hashed).toMatch(HEX_64);
    expect(hashed).not.toContain("203");
    expect(hashed).toBe(await hmacSha256Hex(SECRET, "ip:203.0.113.7"));
  });

  it("is not a plain hash of the address, so it cannot be reversed without the secret", async () => {
    expect(await hashIp("203.0.113.7", SECRET)).not.toBe(await sha256Hex("203.0.113.7"));
    expect(await hashIp("203.0.113.7", SECRET)).not.toBe(
      await hashIp("203.0.113.7", `${SECRET}-other`),
    );
  });

  it("gives the same hash for spellings of the same IPv6 address", async () => {
    const canonical = await hashIp("2001:db8::1", SECRET);
    expect(await hashIp(" 2001:DB8:0:0:0:0:0:1 ", SECRET)).toBe(canonical);
    expect(await hashIp("2001:db8::2", SECRET)).not.toBe(canonical);
  });
});

describe("blindIndex", () => {
  it("is deterministic for the same value, secret and context", async () => {
    const index = await blindIndex("ABCDE-FGHIJ", SECRET, "licenses.key");
    expect(index).toMatch(HEX_64);
    expect(await blindIndex("ABCDE-FGHIJ", SECRET, "licenses.key")).toBe(index);
    expect(index).toBe(await hmacSha256Hex(SECRET, "licenses.key:ABCDE-FGHIJ"));
  });

  it("gives unrelated indexes in different contexts and for different values", async () => {
    const index = await blindIndex("ABCDE-FGHIJ", SECRET, "licenses.key");
    expect(await blindIndex("ABCDE-FGHIJ", SECRET, "users.email")).not.toBe(index);
    expect(await blindIndex("ABCDE-FGHIK", SECRET, "licenses.key")).not.toBe(index);
  });

  it("refuses an empty context or one containing the separator", async () => {
    await expect(blindIndex("v", SECRET, "")).rejects.toThrow(TypeError);
    await expect(blindIndex("v", SECRET, "licenses:key")).rejects.toThrow(TypeError);
  });
});

describe("randomToken", () => {
  it("returns 128 bits of base64url by default", () => {
    const token = randomToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(base64UrlToBytes(token)).toHaveLength(16);
  });

  it("returns the requested number of bytes", () => {
    expect(base64UrlToBytes(randomToken(32))).toHaveLength(32);
  });

  it("never repeats across many draws", () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => randomToken()));
    expect(tokens.size).toBe(1000);
  });

  it("refuses tokens shorter than 128 bits", () => {
    expect(() => randomToken(8)).toThrow(RangeError);
    expect(() => randomToken(16.5)).toThrow(RangeError);
  });
});

describe("sha256TokenHash", () => {
  it("stores a token as its SHA-256 hex, never the token itself", async () => {
    const token = randomToken();
    const stored = await sha256TokenHash(token);
    expect(stored).toMatch(HEX_64);
    expect(stored).toBe(await sha256Hex(token));
    expect(stored).not.toContain(token);
  });
});
