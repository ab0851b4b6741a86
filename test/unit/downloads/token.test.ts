import { describe, expect, it } from "vitest";
import { checkDownloadToken, signDownloadToken } from "~/lib/download-token.server";

const SECRET = "unit-test-download-secret-0123456789abcdef";
const payload = {
  grantId: "grant1",
  licenseId: "license1",
  userId: "user1",
  expiresAt: new Date("2031-01-01T00:05:00Z"),
};

describe("download tokens", () => {
  it("verifies a fresh token and reports an expired one with its payload", async () => {
    const token = await signDownloadToken(SECRET, payload);
    expect(await checkDownloadToken(SECRET, token, new Date("2031-01-01T00:04:59Z"))).toEqual({
      status: "valid",
      payload,
    });
    expect(await checkDownloadToken(SECRET, token, new Date("2031-01-01T00:05:00Z"))).toEqual({
      status: "expired",
      payload,
    });
  });

  it("calls a changed payload, signature or secret tampered", async () => {
    const token = await signDownloadToken(SECRET, payload);
    const [body, signature] = token.split(".") as [string, string];
    const other = await signDownloadToken(SECRET, { ...payload, grantId: "grant2" });
    const swapped = `${other.split(".")[0]}.${signature}`;
    const now = new Date("2031-01-01T00:00:00Z");
    expect((await checkDownloadToken(SECRET, swapped, now)).status).toBe("tampered");
    const flipped = `${signature.startsWith("x") ? "y" : "x"}${signature.slice(1)}`;
    expect((await checkDownloadToken(SECRET, `${body}.${flipped}`, now)).status).toBe("tampered");
    expect((await checkDownloadToken(`${SECRET}!`, token, now)).status).toBe("tampered");
    expect((await checkDownloadToken(SECRET, "not-a-token", now)).status).toBe("malformed");
  });
});
