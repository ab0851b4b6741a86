/**
 * Bench data for the download benchmark: `tsx test/bench/seed-downloads.ts --persist-to DIR
 * --file <key>:<size> [--file …] --grants N` adds, to the local D1 in DIR, a bench customer
 * with a session, one product and license per file (the objects were put into R2 before, by
 * `wrangler r2 object put`), N fresh grants per license and one redeemed grant per license
 * (a resumable link, valid for 24 hours). Prints one JSON line: the cookie and the links.
 *
 * Grant rows are written directly, as the grant route would write them, so the benchmark
 * measures delivery, not the quota. Refused unless ENVIRONMENT is "development".
 */
import { createId } from "@paralleldrive/cuid2";
import { createCookie } from "@remix-run/cloudflare";
import { parseArgs } from "node:util";
import { createDb } from "#db/client";
import { digitalProductPurchases, digitalProducts, downloads, users } from "#db/schema";
import { openLocalPlatform } from "#db/seed";
import { signDownloadToken } from "~/lib/download-token.server";
import { parseEnv } from "~/lib/env.server";
import { issueLicenseStatement } from "~/services/licenses.server";
import { newSessionStatement } from "~/services/sessions.server";
import { buildProduct, buildUser } from "../factories";

export interface DownloadBenchSeed {
  cookie: string;
  files: Array<{ key: string; size: number; fresh: string[]; resumable: string }>;
}

async function main() {
  const { values } = parseArgs({
    options: {
      "persist-to": { type: "string" },
      file: { type: "string", multiple: true, default: [] },
      grants: { type: "string", default: "3" },
    },
  });
  const grantsPerFile = Number(values.grants);
  const files = values.file.map((spec) => {
    const at = spec.lastIndexOf(":");
    return { key: spec.slice(0, at), size: Number(spec.slice(at + 1)) };
  });

  const platform = await openLocalPlatform(values["persist-to"]);
  try {
    const bindings = platform.env;
    if (bindings.ENVIRONMENT !== "development") {
      throw new Error(`Refusing to seed: ENVIRONMENT is "${bindings.ENVIRONMENT}".`);
    }
    const env = parseEnv(bindings);
    const db = createDb(bindings.DB);
    const now = new Date();
    const [user] = await db
      .insert(users)
      .values(buildUser({ email: `bench-downloads-${createId()}@example.test` }))
      .returning();
    const session = await newSessionStatement(db, {
      userId: user!.id,
      deviceSessionId: null,
      twoFactorVerified: false,
      now,
    });
    await session.statement;
    const cookie = createCookie("session", { secrets: [env.sessionSecret], path: "/" });
    const seed: DownloadBenchSeed = {
      cookie: (await cookie.serialize(session.token)).split(";")[0]!,
      files: [],
    };

    for (const file of files) {
      const name = file.key.split("/").at(-1)!;
      const product = buildProduct({
        name: `Bench download ${name}`,
        fileKey: file.key,
        fileName: name,
        fileSizeBytes: file.size,
        fileContentType: "application/octet-stream",
      });
      await db.insert(digitalProducts).values(product);
      const purchaseId = createId();
      await db.insert(digitalProductPurchases).values({
        id: purchaseId,
        userId: user!.id,
        productId: product.id,
        licenseType: "PERSONAL",
        amountCents: 0,
        currency: "USD",
        status: "COMPLETED",
        provider: "TEST",
        completedAt: now,
      });
      const issued = await issueLicenseStatement(db, env, {
        purchaseId,
        userId: user!.id,
        productId: product.id,
        licenseType: "PERSONAL",
        teamSeats: 5,
        durationMonths: null,
        now,
      });
      await issued.statement;

      // Links live an hour here (the route's rule is 5 minutes): the bench takes a while.
      const expiresAt = new Date(now.getTime() + 60 * 60 * 1000);
      const link = async (status: "GRANTED" | "COMPLETED") => {
        const id = createId();
        await db.insert(downloads).values({
          id,
          licenseId: issued.licenseId,
          userId: user!.id,
          productId: product.id,
          status,
          grantExpiresAt: expiresAt,
          redeemedAt: status === "COMPLETED" ? now : null,
          createdAt: now,
        });
        const token = await signDownloadToken(env.downloadSigningSecret, {
          grantId: id,
          licenseId: issued.licenseId,
          userId: user!.id,
          expiresAt,
        });
        return `/downloads/${token}`;
      };
      const fresh: string[] = [];
      for (let i = 0; i < grantsPerFile; i++) fresh.push(await link("GRANTED"));
      seed.files.push({ ...file, fresh, resumable: await link("COMPLETED") });
    }
    console.log(JSON.stringify(seed));
  } finally {
    await platform.dispose();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main();
}
