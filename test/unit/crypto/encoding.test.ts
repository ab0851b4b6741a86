import { describe, expect, it } from "vitest";
import {
  EncodingError,
  base64ToBytes,
  base64UrlToBytes,
  bytesToBase64,
  bytesToBase64Url,
  bytesToHex,
  hexToBytes,
  utf8Decode,
  utf8Encode,
} from "~/lib/encoding";

const ascii = (text: string) => utf8Encode(text);

describe("base64", () => {
  // RFC 4648 §10 test vectors.
  const vectors: [string, string][] = [
    ["", ""],
    ["f", "Zg=="],
    ["fo", "Zm8="],
    ["foo", "Zm9v"],
    ["foob", "Zm9vYg=="],
    ["fooba", "Zm9vYmE="],
    ["foobar", "Zm9vYmFy"],
  ];

  it.each(vectors)("encodes %j as the RFC 4648 vector %j", (input, encoded) => {
    expect(bytesToBase64(ascii(input))).toBe(encoded);
    expect(utf8Decode(base64ToBytes(encoded))).toBe(input);
  });

  it("omits padding on request and decodes unpadded input", () => {
    expect(bytesToBase64(ascii("fo"), { pad: false })).toBe("Zm8");
    expect(utf8Decode(base64ToBytes("Zm8"))).toBe("fo");
  });

  it("round-trips every byte value", () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(base64ToBytes(bytesToBase64(all))).toEqual(all);
    expect(bytesToBase64(Uint8Array.of(0xfb, 0xff))).toBe("+/8=");
  });

  it("matches the platform's btoa on random data", () => {
    for (let length = 0; length < 40; length++) {
      const bytes = crypto.getRandomValues(new Uint8Array(length));
      expect(bytesToBase64(bytes)).toBe(btoa(String.fromCharCode(...bytes)));
    }
  });

  it.each(["Zm9v!", "Zm9 v", "Z", "Zm9vY", "Zm8==", "Zm=8", "Zg=", "Zh==", "Zm9vYmE=\n", "-_8="])(
    "rejects the malformed input %j",
    (input) => {
      expect(() => base64ToBytes(input)).toThrow(EncodingError);
    },
  );
});

describe("base64url", () => {
  it("uses - and _ and never pads", () => {
    const bytes = Uint8Array.of(0xfb, 0xff, 0xbf);
    expect(bytesToBase64Url(bytes)).toBe("-_-_");
    expect(bytesToBase64Url(Uint8Array.of(0xfb, 0xff))).toBe("-_8");
    expect(base64UrlToBytes("-_8")).toEqual(Uint8Array.of(0xfb, 0xff));
  });

  it("round-trips random data of every length", () => {
    for (let length = 0; length < 40; length++) {
      const bytes = crypto.getRandomValues(new Uint8Array(length));
      expect(base64UrlToBytes(bytesToBase64Url(bytes))).toEqual(bytes);
    }
  });

  it("rejects the standard alphabet's + and /", () => {
    expect(() => base64UrlToBytes("+/8")).toThrow(EncodingError);
  });
});

describe("hex", () => {
  it("encodes lowercase with leading zeros", () => {
    expect(bytesToHex(Uint8Array.of(0, 1, 0xab, 0xff))).toBe("0001abff");
  });

  it("decodes either case", () => {
    expect(hexToBytes("0001ABff")).toEqual(Uint8Array.of(0, 1, 0xab, 0xff));
    expect(hexToBytes("")).toEqual(new Uint8Array(0));
  });

  it.each(["abc", "zz", "0x00", " 00"])("rejects the malformed input %j", (input) => {
    expect(() => hexToBytes(input)).toThrow(EncodingError);
  });
});

describe("utf8", () => {
  it("round-trips text outside ASCII", () => {
    const text = "Grüße, 世界 🎨";
    expect(utf8Encode(text)).toHaveLength(new TextEncoder().encode(text).length);
    expect(utf8Decode(utf8Encode(text))).toBe(text);
  });

  it("refuses invalid UTF-8 instead of inventing replacement characters", () => {
    expect(() => utf8Decode(Uint8Array.of(0xc3, 0x28))).toThrow(EncodingError);
  });
});
