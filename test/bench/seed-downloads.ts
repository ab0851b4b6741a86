/**
 * Bench data for the download benchmark: `tsx test/bench/seed-downloads.ts --persist-to DIR
 * --file <key>:<size> [--file …] --grants N [--load-file <key> --load-grants M]` adds, to the
 * local D1 in DIR, a bench customer with a session, one product and license per file (the
 * objects were put into R2 before, by `wrangler r2 object put`) and N fresh grants per license;
 * the load file's license gets M more fresh grants for the concurrent load row, one grant per
 * download (issue 17: a grant allows one full download plus Range resumes, ADR 0004, so a load
 * on one grant would measure refusals). Prints one JSON line: the cookie and the links.
 *
 * Grant rows are written directly, as the grant route would write them, so the benchmark
 * measures delivery, not the quota. Refused unless ENVIRONMENT is "development".
 */
import { createId } from "@paralleldrive/cuid2";
import { parseArgs } from "node:util";
import { digitalProductPurchases, digitalProducts, downloads, users } from "#db/schema";
import { signDownloadToken } from "~/lib/download-token.server";
import { issueLicenseStatement } from "~/services/licenses.server";
import { buildProduct, buildUser } from "../factories";
import { openDevelopmentPlatform, sessionCookieFor } from "./seed-session";

export interface DownloadBenchSeed {
  cookie: string;
  files: Array<{ key: string; size: number; fresh: string[]; load: string[] }>;
}

/** D1 binds at most 100 parameters per statement: 10 grant rows of 8 columns each. */
const ROWS_PER_INSERT = 10;

async function main() {
  const { values } = parseArgs({
    options: {
      "persist-to": { type: "string" },
      file: { type: "string", multiple: true, default: [] },
      grants: { type: "string", default: "3" },
      "load-file": { type: "string" },
      "load-grants": { type: "string", default: "0" },
    },
  });
  const grantsPerFile = Number(values.grants);
  const loadGrants = Number(values["load-grants"]);
  const files = values.file.map((spec) => {
    const at = spec.lastIndexOf(":");
    return { key: spec.slice(0, at), size: Number(spec.slice(at + 1)) };
  });

  const { platform, env, db } = await openDevelopmentPlatform(values["persist-to"]);
  try {
    const now = new Date();
    const [user] = await db
      .insert(users)
      .values(buildUser({ email: `bench-downloads-${createId()}@example.test` }))
      .returning();
    const seed: DownloadBenchSeed = {
      cookie: await sessionCookieFor(db, env, user!.id),
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
      const links = async (count: number): Promise<string[]> => {
        const rows = Array.from({ length: count }, () => ({
          id: createId(),
          licenseId: issued.licenseId,
          userId: user!.id,
          productId: product.id,
          status: "GRANTED" as const,
          grantExpiresAt: expiresAt,
          createdAt: now,
        }));
        const inserts = [];
        for (let at = 0; at < rows.length; at += ROWS_PER_INSERT) {
          inserts.push(db.insert(downloads).values(rows.slice(at, at + ROWS_PER_INSERT)));
        }
        for (let at = 0; at < inserts.length; at += 100) {
          const [first, ...rest] = inserts.slice(at, at + 100);
          if (first) await db.batch([first, ...rest]);
        }
        return Promise.all(
          rows.map(
            async (row) =>
              `/downloads/${await signDownloadToken(env.downloadSigningSecret, {
                grantId: row.id,
                licenseId: issued.licenseId,
                userId: user!.id,
                expiresAt,
              })}`,
          ),
        );
      };
      seed.files.push({
        ...file,
        fresh: await links(grantsPerFile),
        load: file.key === values["load-file"] ? await links(loadGrants) : [],
      });
    }
    console.log(JSON.stringify(seed));
  } finally {
    await platform.dispose();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main();
}
