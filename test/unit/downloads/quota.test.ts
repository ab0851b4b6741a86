import { describe, expect, it } from "vitest";
import {
  DOWNLOAD_WINDOW_MS,
  downloadFailureMessage,
  downloadOutcomeLabel,
  downloadRefusal,
  GRANT_TTL_MS,
  quotaState,
  resumeRefusal,
  sameOrigin,
  type QuotaRow,
} from "~/domain/downloads/quota";

const t0 = new Date("2031-03-01T10:00:00Z");
const at = (ms: number) => new Date(t0.getTime() + ms);
const completed = (ms: number): QuotaRow => ({
  status: "COMPLETED",
  createdAt: at(ms),
  grantExpiresAt: at(ms + GRANT_TTL_MS),
});
const granted = (ms: number): QuotaRow => ({ ...completed(ms), status: "GRANTED" });

describe("quotaState", () => {
  it("counts redeemed downloads for 14 days and names the oldest's end as the free-up time", () => {
    const rows = [completed(0), completed(1000), completed(2000)];
    expect(quotaState(rows, at(5000), null)).toEqual({
      used: 3,
      left: 0,
      nextFreeAt: at(DOWNLOAD_WINDOW_MS),
    });
    expect(quotaState(rows, at(DOWNLOAD_WINDOW_MS + 1), null)).toMatchObject({ used: 2, left: 1 });
  });

  it("counts an unredeemed grant only until it expires", () => {
    const rows = [completed(0), completed(1000), granted(2000)];
    expect(quotaState(rows, at(3000), null).nextFreeAt).toEqual(at(2000 + GRANT_TTL_MS));
    expect(quotaState(rows, at(2000 + GRANT_TTL_MS), null)).toMatchObject({ used: 2, left: 1 });
  });

  it("ignores failed attempts and everything before an approved reset", () => {
    const rows: QuotaRow[] = [
      completed(0),
      completed(1000),
      completed(2000),
      { status: "FAILED", createdAt: at(3000), grantExpiresAt: null },
    ];
    expect(quotaState(rows, at(4000), at(2500))).toEqual({ used: 0, left: 3, nextFreeAt: null });
  });
});

describe("downloadFailureMessage", () => {
  it("says when the next download frees up", () => {
    expect(downloadFailureMessage("QUOTA_EXCEEDED", at(DOWNLOAD_WINDOW_MS))).toBe(
      "You have used all 3 downloads of the last 14 days. The next download frees up on 15 Mar 2031, 10:00 UTC.",
    );
  });
});

describe("downloadRefusal", () => {
  it("says what sort of no each refusal is, in words", () => {
    expect(downloadRefusal("QUOTA_EXCEEDED", at(DOWNLOAD_WINDOW_MS))).toEqual({
      ok: false,
      kind: "limit",
      reason: "QUOTA_EXCEEDED",
      message: downloadFailureMessage("QUOTA_EXCEEDED", at(DOWNLOAD_WINDOW_MS)),
      nextFreeAt: at(DOWNLOAD_WINDOW_MS),
    });
    expect(downloadRefusal("LINK_EXPIRED")).toMatchObject({ kind: "gone", nextFreeAt: null });
    expect(downloadRefusal("LINK_TAMPERED").kind).toBe("forbidden");
    expect(downloadRefusal("NOT_OWNER").kind).toBe("not-found");
  });
});

describe("downloadOutcomeLabel", () => {
  const now = new Date("2026-11-26T12:00:00Z");
  it("tells a counted download from a resume of one", () => {
    const row = { status: "COMPLETED" as const, failureReason: null, grantExpiresAt: now };
    expect(downloadOutcomeLabel(row, now)).toBe("Downloaded");
    expect(downloadOutcomeLabel({ ...row, resumeOfId: "grant1" }, now)).toBe(
      "Resumed (not counted)",
    );
  });

  it("tells a live link from one that expired unused", () => {
    const row = { status: "GRANTED" as const, failureReason: null };
    expect(downloadOutcomeLabel({ ...row, grantExpiresAt: new Date(now.getTime() + 1) }, now)).toBe(
      "Link issued",
    );
    expect(downloadOutcomeLabel({ ...row, grantExpiresAt: now }, now)).toBe("Link expired unused");
  });
});

describe("resumes of a redeemed grant", () => {
  const laptop = { ipHash: "ip-home", deviceFingerprint: "fp-laptop" };
  const range = { ranged: true, partial: true, ifRangeFailed: false };
  const resume = (overrides: Partial<Parameters<typeof resumeRefusal>[0]> = {}) =>
    resumeRefusal({
      ...range,
      redeemedBy: laptop,
      request: laptop,
      bytesServed: 300,
      length: 100,
      size: 300,
      ...overrides,
    });

  it("is the redeeming device or IP hash; unknown on both sides only without Cloudflare", () => {
    expect(sameOrigin(laptop, { ipHash: "ip-cafe", deviceFingerprint: "fp-laptop" })).toBe(true);
    expect(sameOrigin(laptop, { ipHash: "ip-home", deviceFingerprint: "fp-phone" })).toBe(true);
    expect(sameOrigin(laptop, { ipHash: "ip-cafe", deviceFingerprint: "fp-phone" })).toBe(false);
    expect(sameOrigin(laptop, { ipHash: "ip-cafe", deviceFingerprint: null })).toBe(false);
    expect(sameOrigin(laptop, { ipHash: null, deviceFingerprint: null })).toBe(false);
    const unknown = { ipHash: null, deviceFingerprint: null };
    expect(sameOrigin(unknown, unknown)).toBe(true);
    expect(sameOrigin(unknown, { ipHash: "ip-cafe", deviceFingerprint: null })).toBe(false);
    expect(sameOrigin({ ipHash: null, deviceFingerprint: "fp-laptop" }, unknown)).toBe(false);
  });

  it("asks for a range, from the redeeming device, within twice the file", () => {
    expect(resume()).toBeNull();
    expect(resume({ length: 300 })).toBeNull();
    expect(resume({ length: 301 })).toBe("RESUME_LIMIT");
    expect(resume({ ranged: false, partial: false })).toBe("RESUME_NOT_RANGED");
    expect(resume({ partial: false })).toBe("RESUME_NOT_RANGED");
    expect(resume({ partial: false, ifRangeFailed: true, length: 300 })).toBeNull();
    expect(resume({ request: { ipHash: "ip-cafe", deviceFingerprint: null } })).toBe(
      "RESUME_OTHER_DEVICE",
    );
  });

  it("tells the user to start a new download", () => {
    for (const reason of ["RESUME_NOT_RANGED", "RESUME_OTHER_DEVICE", "RESUME_LIMIT"] as const) {
      expect(downloadFailureMessage(reason)).toContain("start a new download from your license");
    }
    expect(downloadRefusal("RESUME_OTHER_DEVICE").kind).toBe("forbidden");
    expect(downloadRefusal("RESUME_LIMIT").kind).toBe("gone");
  });
});
