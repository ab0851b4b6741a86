import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { dbFor } from "#db/client";

describe("dbFor", () => {
  it("keeps one Drizzle handle per D1 binding, and a separate one for each binding", async () => {
    const first = dbFor(env.DB);
    expect(dbFor(env.DB)).toBe(first);
    const other = dbFor(env.DASHBOARD_DB);
    expect(other).not.toBe(first);
    expect(dbFor(env.DASHBOARD_DB)).toBe(other);
    expect(await first.run("select 1")).toBeTruthy();
  });
});
