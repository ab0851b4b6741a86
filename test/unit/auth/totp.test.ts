import { describe, expect, it } from "vitest";
import {
  RECOVERY_CODE_BITS,
  RECOVERY_CODE_COUNT,
  formatRecoveryCode,
  generateRecoveryCodes,
  normalizeRecoveryCode,
} from "~/domain/auth/recovery-codes";
import {
  TOTP_PARAMETERS,
  generateTotpSecret,
  looksLikeTotpCode,
  matchTotpStep,
  otpauthUri,
  totpCode,
  totpStep,
} from "~/domain/auth/totp";
import { qrCodeSvg } from "~/lib/qr-svg";

/** RFC 6238 Appendix B: the SHA-1 seed is the ASCII string "12345678901234567890". */
const RFC_SEED = new TextEncoder().encode("12345678901234567890");
const RFC_SHA1_VECTORS: Array<[unixSeconds: number, code: string]> = [
  [59, "94287082"],
  [1111111109, "07081804"],
  [1111111111, "14050471"],
  [1234567890, "89005924"],
  [2000000000, "69279037"],
  [20000000000, "65353130"],
];

const SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"; // base32 of the RFC seed: 20 bytes
const NOW = Date.UTC(2026, 5, 1, 12, 0, 10); // 10 s into a 30 s step
const STEP_MS = 30_000;

describe("TOTP (RFC 6238)", () => {
  it("uses SHA-1, 6 digits and 30-second steps", () => {
    expect(TOTP_PARAMETERS).toEqual({ algorithm: "sha1", digits: 6, periodSeconds: 30 });
  });

  it.each(RFC_SHA1_VECTORS)(
    "produces the Appendix B SHA-1 code at T=%i through the app's code path",
    async (unixSeconds, expected) => {
      const atMs = unixSeconds * 1000;
      expect(await totpCode(RFC_SEED, atMs, { digits: 8 })).toBe(expected);
      // The verifier the app uses accepts the same code at that time, in the vector's step.
      expect(await matchTotpStep(RFC_SEED, expected, atMs, null, { digits: 8 })).toBe(
        Math.floor(unixSeconds / 30),
      );
    },
  );

  it("derives the same codes from the base32 form of a secret as from its bytes", async () => {
    for (const [unixSeconds] of RFC_SHA1_VECTORS) {
      expect(await totpCode(SECRET, unixSeconds * 1000)).toBe(
        await totpCode(RFC_SEED, unixSeconds * 1000),
      );
    }
  });

  it("gives 6-digit codes, keeping leading zeros", async () => {
    // 1111111109 is the vector whose 8-digit code starts with 0; its 6-digit code is 081804.
    expect(await totpCode(RFC_SEED, 1111111109_000)).toBe("081804");
    expect(await totpCode(SECRET, NOW)).toMatch(/^[0-9]{6}$/);
  });

  it("generates 160-bit base32 secrets that differ every time", () => {
    const a = generateTotpSecret();
    const b = generateTotpSecret();
    expect(a).toMatch(/^[A-Z2-7]{32}$/); // 32 base32 characters = 20 bytes, no padding
    expect(a).not.toBe(b);
  });

  it("numbers time steps from the Unix epoch", () => {
    expect(totpStep(59_000)).toBe(1);
    expect(totpStep(NOW)).toBe(Math.floor(NOW / STEP_MS));
  });
});

describe("accepting a TOTP code", () => {
  const currentStep = Math.floor(NOW / STEP_MS);

  it("accepts the code of the current step and returns that step", async () => {
    const code = await totpCode(SECRET, NOW);
    expect(await matchTotpStep(SECRET, code, NOW, null)).toBe(currentStep);
  });

  it("accepts the code of the step before (typed as it rolled over)", async () => {
    const code = await totpCode(SECRET, NOW - STEP_MS);
    expect(await matchTotpStep(SECRET, code, NOW, null)).toBe(currentStep - 1);
  });

  it("refuses a code two steps old", async () => {
    const code = await totpCode(SECRET, NOW - 2 * STEP_MS);
    expect(await matchTotpStep(SECRET, code, NOW, null)).toBeNull();
  });

  it("refuses the code of the next step (no future steps, whatever the client clock says)", async () => {
    const code = await totpCode(SECRET, NOW + STEP_MS);
    expect(await matchTotpStep(SECRET, code, NOW, null)).toBeNull();
  });

  it("refuses a step at or before the last used step (a code works once)", async () => {
    const current = await totpCode(SECRET, NOW);
    const previous = await totpCode(SECRET, NOW - STEP_MS);
    expect(await matchTotpStep(SECRET, current, NOW, currentStep)).toBeNull();
    expect(await matchTotpStep(SECRET, previous, NOW, currentStep - 1)).toBeNull();
    expect(await matchTotpStep(SECRET, previous, NOW, currentStep)).toBeNull();
    // A last step in the future (clock skew between servers) refuses everything, without throwing.
    expect(await matchTotpStep(SECRET, current, NOW, currentStep + 5)).toBeNull();
  });

  it("still accepts the current code after the previous step was used", async () => {
    const code = await totpCode(SECRET, NOW);
    expect(await matchTotpStep(SECRET, code, NOW, currentStep - 1)).toBe(currentStep);
  });

  it("forgives spaces but refuses anything that is not exactly six digits", async () => {
    const code = await totpCode(SECRET, NOW);
    expect(await matchTotpStep(SECRET, ` ${code.slice(0, 3)} ${code.slice(3)} `, NOW, null)).toBe(
      currentStep,
    );
    for (const bad of ["", "12345", "1234567", "12a456", `${code}0`, "１２３４５６"]) {
      expect(await matchTotpStep(SECRET, bad, NOW, null)).toBeNull();
    }
    expect(looksLikeTotpCode("123 456")).toBe(true);
    expect(looksLikeTotpCode("abcd-1234-wxyz")).toBe(false);
  });

  it("refuses a code made with another secret", async () => {
    const code = await totpCode("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", NOW);
    expect([await totpCode(SECRET, NOW), await totpCode(SECRET, NOW - STEP_MS)]).not.toContain(
      code,
    );
    expect(await matchTotpStep(SECRET, code, NOW, null)).toBeNull();
  });
});

describe("otpauth URI", () => {
  it("names the issuer and the account and carries the secret", () => {
    const uri = otpauthUri({ secret: SECRET, label: "ann+shop@example.test" });
    expect(uri).toBe(
      `otpauth://totp/Studio%20Store:ann%2Bshop%40example.test?secret=${SECRET}&issuer=Studio%20Store`,
    );
    const parsed = new URL(uri);
    expect(parsed.protocol).toBe("otpauth:");
    expect(parsed.searchParams.get("secret")).toBe(SECRET);
    expect(parsed.searchParams.get("issuer")).toBe("Studio Store");
  });
});

describe("enrollment QR code", () => {
  it("is an SVG image with an accessible name", () => {
    const svg = qrCodeSvg(otpauthUri({ secret: SECRET, label: "ann@example.test" }), {
      label: 'Scan with your "authenticator" app',
    });
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 \d+ \d+"/);
    expect(svg).toContain('role="img"');
    expect(svg).toContain('aria-label="Scan with your &quot;authenticator&quot; app"');
    expect(svg).toContain("<title>Scan with your &quot;authenticator&quot; app</title>");
    expect(svg).toContain('width="200" height="200"');
    expect(svg).toMatch(/<path fill="black" d="M[0-9,hvzM-]+"\/><\/svg>$/);
  });

  it("grows with the data it encodes", () => {
    const viewBox = (svg: string) => Number(/viewBox="0 0 (\d+)/.exec(svg)![1]);
    expect(viewBox(qrCodeSvg("x"))).toBeLessThan(viewBox(qrCodeSvg("x".repeat(200))));
  });
});

describe("recovery codes", () => {
  it(`issues ${RECOVERY_CODE_COUNT} distinct codes shaped xxxx-xxxx-xxxx`, () => {
    const codes = generateRecoveryCodes();
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT);
    for (const code of codes) {
      expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/);
    }
  });

  it("carries at least 60 bits of randomness per code", () => {
    expect(RECOVERY_CODE_BITS).toBeGreaterThanOrEqual(60);
    // Every character of the 32-letter alphabet shows up across many codes (no stuck bits).
    const seen = new Set(generateRecoveryCodes(200).join("").replaceAll("-", ""));
    expect(seen.size).toBe(32);
  });

  it("normalizes what people type: case, spaces, dashes and look-alike letters", () => {
    expect(normalizeRecoveryCode("ABCD-1234-WXYZ")).toBe("abcd1234wxyz");
    expect(normalizeRecoveryCode("  abcd 1234 wxyz ")).toBe("abcd1234wxyz");
    expect(normalizeRecoveryCode("abcd12 34-wx yz")).toBe("abcd1234wxyz");
    expect(normalizeRecoveryCode("abcd-I2LO-wxyz")).toBe("abcd1210wxyz");
    expect(formatRecoveryCode("abcd1234wxyz")).toBe("abcd-1234-wxyz");
  });

  it("recognizes a generated code after formatting round trips", () => {
    for (const code of generateRecoveryCodes()) {
      const normalized = normalizeRecoveryCode(code.toUpperCase());
      expect(normalized).not.toBeNull();
      expect(formatRecoveryCode(normalized!)).toBe(code);
    }
  });

  it("refuses input that cannot be a recovery code", () => {
    for (const bad of [
      "",
      "abcd-1234",
      "abcd-1234-wxyz-0",
      "abcd-1234-wxyu",
      "123456",
      "abcd-1234-wx!z",
    ]) {
      expect(normalizeRecoveryCode(bad)).toBeNull();
    }
  });
});

describe("the demo accounts' published secret", () => {
  it("verifies codes for the 10-byte secret JBSWY3DPEHPK3PXP", async () => {
    const { totpCode, matchTotpStep, totpStep } = await import("~/domain/auth/totp");
    const now = Date.UTC(2026, 10, 26, 12, 0, 0);
    const code = await totpCode("JBSWY3DPEHPK3PXP", now);
    expect(code).toMatch(/^\d{6}$/);
    expect(await matchTotpStep("JBSWY3DPEHPK3PXP", code, now, null)).toBe(totpStep(now));
  });
});
