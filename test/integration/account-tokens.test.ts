import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "#db/client";
import { accountTokens, users } from "#db/schema";
import {
  ACCOUNT_TOKEN_TTL_MS,
  accountTokenUsable,
  findAccountToken,
  issueAccountToken,
  spendAccountToken,
} from "~/services/auth/account-tokens.server";
import { createUser } from "../factories";

const db = createDb(env.DB);
const now = new Date("2026-11-30T12:00:00Z");
const later = (ms: number) => new Date(now.getTime() + ms);

async function issued(purpose: "PASSWORD_RESET" | "EMAIL_VERIFICATION" = "PASSWORD_RESET") {
  const user = await createUser(db);
  const link = await issueAccountToken(db, { userId: user.id, purpose, now });
  await db.batch([...link.statements]);
  return { user, link };
}

describe("account tokens (emailed single-use links)", () => {
  it("stores only a hash, and finds the link by its raw token", async () => {
    const { user, link } = await issued();
    const rows = await db.select().from(accountTokens).where(eq(accountTokens.userId, user.id));
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(link.token);
    const found = await findAccountToken(db, { token: link.token, purpose: "PASSWORD_RESET", now });
    expect(found).toMatchObject({ ok: true, userId: user.id });
  });

  it("refuses a malformed, unknown or other-purpose token as invalid", async () => {
    const { link } = await issued();
    for (const token of [undefined, "short", "x".repeat(43)]) {
      expect(await findAccountToken(db, { token, purpose: "PASSWORD_RESET", now })).toMatchObject({
        ok: false,
        reason: "invalid",
      });
    }
    expect(
      await findAccountToken(db, { token: link.token, purpose: "EMAIL_VERIFICATION", now }),
    ).toMatchObject({ ok: false, reason: "invalid" });
  });

  it("expires after its time to live", async () => {
    const { link } = await issued();
    const expired = later(ACCOUNT_TOKEN_TTL_MS.PASSWORD_RESET);
    expect(
      await findAccountToken(db, { token: link.token, purpose: "PASSWORD_RESET", now: expired }),
    ).toMatchObject({ ok: false, reason: "expired" });
  });

  it("keeps only the newest link of a purpose working", async () => {
    const user = await createUser(db);
    const first = await issueAccountToken(db, { userId: user.id, purpose: "PASSWORD_RESET", now });
    await db.batch([...first.statements]);
    const second = await issueAccountToken(db, {
      userId: user.id,
      purpose: "PASSWORD_RESET",
      now: later(1000),
    });
    await db.batch([...second.statements]);
    const at = later(2000);
    expect(
      await findAccountToken(db, { token: first.token, purpose: "PASSWORD_RESET", now: at }),
    ).toMatchObject({ ok: false, reason: "expired" });
    expect(
      await findAccountToken(db, { token: second.token, purpose: "PASSWORD_RESET", now: at }),
    ).toMatchObject({ ok: true });
  });

  it("voids a reset link issued before the last password change", async () => {
    const { user, link } = await issued();
    await db
      .update(users)
      .set({ passwordChangedAt: later(1000) })
      .where(eq(users.id, user.id));
    expect(
      await findAccountToken(db, {
        token: link.token,
        purpose: "PASSWORD_RESET",
        now: later(2000),
      }),
    ).toMatchObject({ ok: false, reason: "used" });
  });

  it("is spent by exactly one of ten parallel uses", async () => {
    const { user, link } = await issued();
    const found = await findAccountToken(db, { token: link.token, purpose: "PASSWORD_RESET", now });
    if (!found.ok) throw new Error("link not found");
    const at = later(1000);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, attempt) =>
        db.batch([
          db
            .update(users)
            .set({ name: `Attempt ${attempt}`, updatedAt: at })
            .where(accountTokenUsable(found.tokenId, at)),
          spendAccountToken(db, found.tokenId, at),
        ]),
      ),
    );
    expect(results.filter(([, spent]) => spent.length === 1)).toHaveLength(1);
    expect(
      await findAccountToken(db, { token: link.token, purpose: "PASSWORD_RESET", now: at }),
    ).toMatchObject({ ok: false, reason: "used" });
    const [row] = await db.select({ name: users.name }).from(users).where(eq(users.id, user.id));
    expect(row?.name).toMatch(/^Attempt \d$/);
  });
});
