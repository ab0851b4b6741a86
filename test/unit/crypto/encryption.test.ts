import { describe, expect, it } from "vitest";
import { base64UrlToBytes, bytesToBase64, bytesToBase64Url } from "~/lib/encoding";
import {
  DecryptionError,
  decryptField,
  encryptField,
  needsReencryption,
  reencryptField,
  type EncryptionKeys,
} from "~/lib/encryption.server";

function newKey(version: number) {
  return { version, key: bytesToBase64(crypto.getRandomValues(new Uint8Array(32))) };
}

const v1 = newKey(1);
const v2 = newKey(2);
const keysV1: EncryptionKeys = { current: v1 };
const CONTEXT = "licenses.key";
const SECRET = "ABCDE-FGHIJ-KLMNO-PQRST-UVWXY";

/** Flip one bit of byte `index` in the dot-separated part `part` of a ciphertext. */
function flip(ciphertext: string, part: 1 | 2, index: number): string {
  const parts = ciphertext.split(".");
  const bytes = base64UrlToBytes(parts[part]!);
  bytes[index] = bytes[index]! ^ 0x01;
  parts[part] = bytesToBase64Url(bytes);
  return parts.join(".");
}

async function expectDecryptionError(
  promise: Promise<unknown>,
  reason: DecryptionError["reason"],
): Promise<void> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DecryptionError);
  expect((error as DecryptionError).reason).toBe(reason);
}

describe("encryptField / decryptField", () => {
  it("round-trips text, including empty and non-ASCII strings", async () => {
    for (const plaintext of [SECRET, "", "JBSWY3DPEHPK3PXP", "Grüße 🎨".repeat(100)]) {
      const ciphertext = await encryptField(plaintext, keysV1, CONTEXT);
      expect(await decryptField(ciphertext, keysV1, CONTEXT)).toBe(plaintext);
    }
  });

  it("writes v<version>.<96-bit IV>.<ciphertext+tag> in base64url", async () => {
    const ciphertext = await encryptField(SECRET, keysV1, CONTEXT);
    expect(ciphertext).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    const [, iv, sealed] = ciphertext.split(".");
    expect(base64UrlToBytes(iv!)).toHaveLength(12);
    // AES-GCM: ciphertext as long as the plaintext, plus a 16-byte tag.
    expect(base64UrlToBytes(sealed!)).toHaveLength(SECRET.length + 16);
    expect(ciphertext).not.toContain(SECRET);
  });

  it("uses a fresh random IV, so the same plaintext encrypts differently every time", async () => {
    const first = await encryptField(SECRET, keysV1, CONTEXT);
    const second = await encryptField(SECRET, keysV1, CONTEXT);
    expect(first).not.toBe(second);
    expect(first.split(".")[1]).not.toBe(second.split(".")[1]);
  });

  it("detects a flipped byte anywhere in the ciphertext or the tag", async () => {
    const ciphertext = await encryptField(SECRET, keysV1, CONTEXT);
    const length = base64UrlToBytes(ciphertext.split(".")[2]!).length;
    for (const index of [0, 10, length - 17, length - 1]) {
      await expectDecryptionError(
        decryptField(flip(ciphertext, 2, index), keysV1, CONTEXT),
        "authentication-failed",
      );
    }
  });

  it("detects a flipped byte in the IV", async () => {
    const ciphertext = await encryptField(SECRET, keysV1, CONTEXT);
    await expectDecryptionError(
      decryptField(flip(ciphertext, 1, 0), keysV1, CONTEXT),
      "authentication-failed",
    );
  });

  it("refuses a ciphertext whose version label was changed, even to a configured key", async () => {
    const ciphertext = await encryptField(SECRET, keysV1, CONTEXT);
    await expectDecryptionError(
      decryptField(ciphertext.replace(/^v1\./, "v3."), keysV1, CONTEXT),
      "unknown-key-version",
    );
    // Same key material under two versions: the version is authenticated data, so still refused.
    const sameKeyTwice: EncryptionKeys = { current: { version: 2, key: v1.key }, previous: v1 };
    await expectDecryptionError(
      decryptField(ciphertext.replace(/^v1\./, "v2."), sameKeyTwice, CONTEXT),
      "authentication-failed",
    );
  });

  it("fails with the wrong key", async () => {
    const ciphertext = await encryptField(SECRET, keysV1, CONTEXT);
    const impostor: EncryptionKeys = { current: { version: 1, key: newKey(1).key } };
    await expectDecryptionError(
      decryptField(ciphertext, impostor, CONTEXT),
      "authentication-failed",
    );
  });

  it("fails when the value is moved to another column (another context)", async () => {
    const ciphertext = await encryptField(SECRET, keysV1, "licenses.key");
    await expectDecryptionError(
      decryptField(ciphertext, keysV1, "users.two_factor_secret"),
      "authentication-failed",
    );
  });

  it.each([
    ["an empty string", ""],
    ["plain text", SECRET],
    ["a missing part", "v1.AAAAAAAAAAAAAAAA"],
    ["a version of 0", "v0.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA"],
    ["a short IV", "v1.AAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA"],
    ["a body shorter than the tag", "v1.AAAAAAAAAAAAAAAA.AAAA"],
    ["standard base64 characters", "v1.AAAAAAAAAAAAAA+/.AAAAAAAAAAAAAAAAAAAAAA"],
    ["trailing whitespace", "v1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA "],
  ])("refuses malformed input (%s) with a DecryptionError", async (_label, input) => {
    await expectDecryptionError(decryptField(input, keysV1, CONTEXT), "malformed");
  });

  it("refuses to encrypt without a context", async () => {
    await expect(encryptField(SECRET, keysV1, "")).rejects.toThrow(TypeError);
  });

  it("reports a key that is not 32 bytes as a configuration error", async () => {
    const broken: EncryptionKeys = {
      current: { version: 1, key: bytesToBase64(new Uint8Array(16)) },
    };
    await expect(encryptField(SECRET, broken, CONTEXT)).rejects.toThrow(/32 bytes/);
  });
});

describe("key rotation", () => {
  const rotated: EncryptionKeys = { current: v2, previous: v1 };

  it("still decrypts values written with the previous key after rotation", async () => {
    const old = await encryptField(SECRET, keysV1, CONTEXT);
    expect(await decryptField(old, rotated, CONTEXT)).toBe(SECRET);
  });

  it("flags values under the previous key (and malformed ones) for re-encryption", async () => {
    const old = await encryptField(SECRET, keysV1, CONTEXT);
    const fresh = await encryptField(SECRET, rotated, CONTEXT);
    expect(needsReencryption(old, keysV1)).toBe(false);
    expect(needsReencryption(old, rotated)).toBe(true);
    expect(needsReencryption(fresh, rotated)).toBe(false);
    expect(needsReencryption("garbage", rotated)).toBe(true);
  });

  it("re-encrypts an old value under the current key, readable with that key alone", async () => {
    const old = await encryptField(SECRET, keysV1, CONTEXT);
    const renewed = await reencryptField(old, rotated, CONTEXT);
    expect(renewed).toMatch(/^v2\./);
    expect(needsReencryption(renewed, rotated)).toBe(false);
    expect(await decryptField(renewed, { current: v2 }, CONTEXT)).toBe(SECRET);
    await expectDecryptionError(decryptField(renewed, keysV1, CONTEXT), "unknown-key-version");
  });

  it("refuses values under a retired key once the previous key is dropped", async () => {
    const old = await encryptField(SECRET, keysV1, CONTEXT);
    await expectDecryptionError(decryptField(old, { current: v2 }, CONTEXT), "unknown-key-version");
    await expectDecryptionError(
      reencryptField(old, { current: v2 }, CONTEXT),
      "unknown-key-version",
    );
  });

  it("keeps the context when re-encrypting", async () => {
    const old = await encryptField(SECRET, keysV1, CONTEXT);
    const renewed = await reencryptField(old, rotated, CONTEXT);
    await expectDecryptionError(
      decryptField(renewed, rotated, "other.column"),
      "authentication-failed",
    );
  });
});
