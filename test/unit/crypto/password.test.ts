import { scrypt } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { bytesToBase64, bytesToHex } from "~/lib/encoding";
import {
  CURRENT_SCRYPT_PARAMS,
  hashPassword,
  scryptRaw,
  verifyPassword,
  type ScryptParams,
} from "~/lib/password.server";

// Pass-through spy, so tests can prove that refused hashes never reach scrypt.
vi.mock("node:crypto", async (importOriginal) => {
  // eslint-disable-next-line @typescript-eslint/consistent-type-imports -- vitest's documented mock pattern
  const original = await importOriginal<typeof import("node:crypto")>();
  return { ...original, scrypt: vi.fn(original.scrypt) };
});

afterEach(() => {
  vi.mocked(scrypt).mockClear();
});

const PHC_SHAPE = /^\$scrypt\$ln=15,r=8,p=3\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/;

async function phcFor(
  password: string,
  params: ScryptParams,
  salt = crypto.getRandomValues(new Uint8Array(16)),
): Promise<string> {
  const hash = await scryptRaw(password, salt, params);
  const encode = (bytes: Uint8Array) => bytesToBase64(bytes, { pad: false });
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${encode(salt)}$${encode(hash)}`;
}

describe("scryptRaw", () => {
  // RFC 7914 §12 test vectors.
  it("derives the RFC 7914 vector for an empty password and salt (N=16, r=1, p=1)", async () => {
    const key = await scryptRaw("", "", { ln: 4, r: 1, p: 1 }, 64);
    expect(bytesToHex(key)).toBe(
      "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442" +
        "fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906",
    );
  });

  it('derives the RFC 7914 vector for "password" / "NaCl" (N=1024, r=8, p=16)', async () => {
    const key = await scryptRaw("password", "NaCl", { ln: 10, r: 8, p: 16 }, 64);
    expect(bytesToHex(key)).toBe(
      "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162" +
        "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640",
    );
  });

  it('derives the RFC 7914 vector for "pleaseletmein" / "SodiumChloride" (N=16384, r=8, p=1)', async () => {
    const key = await scryptRaw("pleaseletmein", "SodiumChloride", { ln: 14, r: 8, p: 1 }, 64);
    expect(bytesToHex(key)).toBe(
      "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2" +
        "d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887",
    );
  });

  it("refuses a cost factor beyond its hard ceiling", async () => {
    await expect(scryptRaw("x", "y", { ln: 30, r: 8, p: 1 })).rejects.toThrow(RangeError);
    expect(scrypt).not.toHaveBeenCalled();
  });
});

describe("hashPassword", () => {
  it("uses N=2^15, r=8, p=3 as the current parameters", () => {
    expect(CURRENT_SCRYPT_PARAMS).toEqual({ ln: 15, r: 8, p: 3 });
  });

  it("produces a PHC string with the current parameters, a 16-byte salt and a 32-byte hash", async () => {
    expect(await hashPassword("correct horse battery staple")).toMatch(PHC_SHAPE);
  });

  it("salts every hash, so the same password never hashes twice to the same string", async () => {
    const [first, second] = await Promise.all([hashPassword("same"), hashPassword("same")]);
    expect(first).not.toBe(second);
  });
});

describe("verifyPassword", () => {
  it("accepts the right password for a current hash without asking for a rehash", async () => {
    const stored = await hashPassword("correct horse battery staple");
    expect(await verifyPassword("correct horse battery staple", stored)).toEqual({
      valid: true,
      needsRehash: false,
    });
  });

  it("rejects a wrong password", async () => {
    const stored = await hashPassword("correct horse battery staple");
    expect(await verifyPassword("correct horse battery stapler", stored)).toEqual({
      valid: false,
      needsRehash: false,
    });
    expect(await verifyPassword("", stored)).toEqual({ valid: false, needsRehash: false });
  });

  it("treats composed and decomposed accents as the same password", async () => {
    const stored = await hashPassword("caf\u00e9");
    expect((await verifyPassword("cafe\u0301", stored)).valid).toBe(true);
  });

  it("accepts a legacy-parameter hash and asks for a rehash", async () => {
    const stored = await phcFor("old password", { ln: 14, r: 8, p: 1 });
    expect(await verifyPassword("old password", stored)).toEqual({
      valid: true,
      needsRehash: true,
    });
    expect(await verifyPassword("wrong", stored)).toEqual({ valid: false, needsRehash: false });
  });

  const salt = bytesToBase64(new Uint8Array(16), { pad: false });
  const hash = bytesToBase64(new Uint8Array(32), { pad: false });
  const refused: [string, string][] = [
    ["an empty string", ""],
    ["plain text", "hunter2"],
    ["another algorithm", `$argon2id$v=19$m=65536,t=3,p=4$${salt}$${hash}`],
    ["a huge N (ln=20)", `$scrypt$ln=20,r=8,p=3$${salt}$${hash}`],
    ["a huge parallelism (p=100)", `$scrypt$ln=15,r=8,p=100$${salt}$${hash}`],
    ["p=99 (in range of the pattern, not on the list)", `$scrypt$ln=15,r=8,p=99$${salt}$${hash}`],
    ["a smaller N (ln=10)", `$scrypt$ln=10,r=8,p=3$${salt}$${hash}`],
    ["another block size (r=16)", `$scrypt$ln=15,r=16,p=3$${salt}$${hash}`],
    ["parameters in another order", `$scrypt$r=8,ln=15,p=3$${salt}$${hash}`],
    ["a leading zero in a parameter", `$scrypt$ln=015,r=8,p=3$${salt}$${hash}`],
    [
      "an 8-byte salt",
      `$scrypt$ln=15,r=8,p=3$${bytesToBase64(new Uint8Array(8), { pad: false })}$${hash}`,
    ],
    [
      "a 16-byte hash",
      `$scrypt$ln=15,r=8,p=3$${salt}$${bytesToBase64(new Uint8Array(16), { pad: false })}`,
    ],
    ["padded base64", `$scrypt$ln=15,r=8,p=3$${salt}==$${hash}=`],
    ["non-canonical base64", `$scrypt$ln=15,r=8,p=3$${salt.slice(0, -1)}B$${hash}`],
    ["trailing data", `$scrypt$ln=15,r=8,p=3$${salt}$${hash}$extra`],
    ["a trailing newline", `$scrypt$ln=15,r=8,p=3$${salt}$${hash}\n`],
  ];

  it.each(refused)(
    "refuses a hash whose parameters or shape are not on the allow-list: %s",
    async (_label, stored) => {
      await expect(verifyPassword("password", stored)).resolves.toEqual({
        valid: false,
        needsRehash: false,
      });
      expect(scrypt).not.toHaveBeenCalled();
    },
  );

  it("refuses non-string input without throwing", async () => {
    const verify = verifyPassword as (password: unknown, stored: unknown) => Promise<unknown>;
    await expect(verify("password", null)).resolves.toEqual({ valid: false, needsRehash: false });
    await expect(verify(undefined, await hashPassword("x"))).resolves.toEqual({
      valid: false,
      needsRehash: false,
    });
  });

  it("runs scrypt exactly once for an allow-listed hash", async () => {
    const stored = await hashPassword("once");
    vi.mocked(scrypt).mockClear();
    await verifyPassword("once", stored);
    expect(scrypt).toHaveBeenCalledTimes(1);
  });
});
