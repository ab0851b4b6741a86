import { describe, expect, it } from "vitest";
import { PURCHASE_STATUSES, type PurchaseStatus } from "#db/schema/enums";
import {
  PAYMENT_EVENT_KINDS,
  planTransition,
  type PaymentEventKind,
} from "~/domain/payments/purchase-state";

const plan = (status: PurchaseStatus, kind: PaymentEventKind, everCompleted = false) =>
  planTransition({ status, everCompleted }, kind);

/** Apply events in order, the way fulfilment does: each from the state the last one left. */
function replay(kinds: PaymentEventKind[]) {
  let state = { status: "PENDING" as PurchaseStatus, everCompleted: false };
  let licenseIssued = false;
  let licenseStatus: "ACTIVE" | "SUSPENDED" | "REVOKED" | null = null;
  for (const kind of kinds) {
    const transition = planTransition(state, kind);
    if (!transition) continue;
    if (transition.license === "ISSUE") {
      licenseIssued = true;
      licenseStatus = "ACTIVE";
    }
    if (licenseStatus && transition.license === "SUSPEND") licenseStatus = "SUSPENDED";
    if (licenseStatus && transition.license === "REINSTATE") licenseStatus = "ACTIVE";
    if (licenseStatus && transition.license === "REVOKE") licenseStatus = "REVOKED";
    state = {
      status: transition.to,
      everCompleted: state.everCompleted || transition.completes,
    };
  }
  return { status: state.status, licenseIssued, licenseStatus };
}

describe("planTransition", () => {
  it("completes a pending purchase and issues its license", () => {
    expect(plan("PENDING", "PAYMENT_SUCCEEDED")).toMatchObject({
      from: "PENDING",
      to: "COMPLETED",
      license: "ISSUE",
      completes: true,
    });
  });

  it("fails a pending purchase when the payment fails", () => {
    expect(plan("PENDING", "PAYMENT_FAILED")).toMatchObject({ to: "FAILED", license: "NONE" });
  });

  it("treats a replayed success as nothing to do", () => {
    expect(plan("COMPLETED", "PAYMENT_SUCCEEDED", true)).toBeNull();
  });

  it("never completes a purchase that failed, was refunded or is disputed", () => {
    for (const status of ["FAILED", "REFUNDED", "DISPUTED"] as const) {
      expect(plan(status, "PAYMENT_SUCCEEDED")).toBeNull();
    }
  });

  it("ends a refunded pending purchase as FAILED and refunded, without a license", () => {
    expect(plan("PENDING", "REFUNDED")).toMatchObject({
      to: "FAILED",
      license: "NONE",
      refunds: true,
      completes: false,
    });
  });

  it("revokes the license of a refunded completed purchase", () => {
    expect(plan("COMPLETED", "REFUNDED", true)).toMatchObject({
      to: "REFUNDED",
      license: "REVOKE",
      refunds: true,
    });
  });

  it("suspends on a dispute, reinstates when won, revokes when lost", () => {
    expect(plan("COMPLETED", "DISPUTE_OPENED", true)).toMatchObject({
      to: "DISPUTED",
      license: "SUSPEND",
    });
    expect(plan("DISPUTED", "DISPUTE_WON", true)).toMatchObject({
      to: "COMPLETED",
      license: "REINSTATE",
      completes: false,
    });
    expect(plan("DISPUTED", "DISPUTE_LOST", true)).toMatchObject({
      to: "REFUNDED",
      license: "REVOKE",
      refunds: true,
    });
  });

  it("ignores dispute outcomes for purchases without an open dispute", () => {
    expect(plan("COMPLETED", "DISPUTE_WON", true)).toBeNull();
    expect(plan("REFUNDED", "DISPUTE_LOST", true)).toBeNull();
  });

  it("has an answer (a transition or nothing) for every status and event", () => {
    for (const status of PURCHASE_STATUSES) {
      for (const kind of PAYMENT_EVENT_KINDS) {
        const transition = plan(status, kind, status !== "PENDING");
        if (transition) expect(transition.from).toBe(status);
      }
    }
  });
});

describe("order of arrival", () => {
  it("a refund that arrives before the completion leaves no license", () => {
    expect(replay(["REFUNDED", "PAYMENT_SUCCEEDED"])).toEqual({
      status: "FAILED",
      licenseIssued: false,
      licenseStatus: null,
    });
  });

  it("completion then refund, or refund then completion, never ends with an active license", () => {
    expect(replay(["PAYMENT_SUCCEEDED", "REFUNDED"]).licenseStatus).toBe("REVOKED");
    expect(replay(["REFUNDED", "PAYMENT_SUCCEEDED"]).licenseStatus).toBeNull();
  });

  it("a dispute opened before the completion holds the sale until it is won", () => {
    expect(replay(["DISPUTE_OPENED", "PAYMENT_SUCCEEDED"])).toEqual({
      status: "DISPUTED",
      licenseIssued: false,
      licenseStatus: null,
    });
    expect(replay(["DISPUTE_OPENED", "PAYMENT_SUCCEEDED", "DISPUTE_WON"])).toEqual({
      status: "COMPLETED",
      licenseIssued: true,
      licenseStatus: "ACTIVE",
    });
    expect(replay(["DISPUTE_OPENED", "DISPUTE_LOST", "PAYMENT_SUCCEEDED"])).toEqual({
      status: "FAILED",
      licenseIssued: false,
      licenseStatus: null,
    });
  });

  it("a full dispute cycle after completion", () => {
    expect(replay(["PAYMENT_SUCCEEDED", "DISPUTE_OPENED"]).licenseStatus).toBe("SUSPENDED");
    expect(replay(["PAYMENT_SUCCEEDED", "DISPUTE_OPENED", "DISPUTE_WON"]).licenseStatus).toBe(
      "ACTIVE",
    );
    expect(replay(["PAYMENT_SUCCEEDED", "DISPUTE_OPENED", "DISPUTE_LOST"])).toEqual({
      status: "REFUNDED",
      licenseIssued: true,
      licenseStatus: "REVOKED",
    });
  });
});
