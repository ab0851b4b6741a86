/**
 * `npm run check:bundles` (after `npm run build`): prints the client JavaScript a first visit of
 * each reported page loads (test/build/client-js.ts) and fails when a customer page is over
 * 90 KiB gzip (issue 17), or when a server-only library leaks into the browser's JavaScript. Route modules lose their loaders and actions in the client build,
 * but a module-level `z.object(…)` or an import from a module that builds schemas at load time
 * keeps zod (~60 KB gzip) in every page that touches it. Keep form schemas in domain
 * `*-forms.ts` modules used only by loaders and actions.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import {
  clientJsPerPage,
  CUSTOMER_PAGE_BUDGET_BYTES,
  limitBytes,
  REPORTED_PAGES,
} from "./client-js";

const BUILD_DIR = path.resolve(import.meta.dirname, "../../public/build");

/** Strings that only appear in the bundled code of these libraries. */
const FORBIDDEN: Readonly<Record<string, RegExp>> = {
  zod: /\bZodError\b/,
  "drizzle-orm": /\bDrizzleError\b|drizzle:entityKind/,
  stripe: /\bStripeSignatureVerificationError\b/,
  // Markdown is rendered by loaders (issue 17); the parser is ~15 KB gzip in a page.
  marked: /marked\(\): input parameter/,
  // The server's route-matching memo (scripts/patch-remix-server-runtime.mjs) lives in a copy
  // of the router only the Worker resolves; browsers get the untouched router.
  "the server route-matching patch": /branches:\s*new WeakMap/,
};

async function jsFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return jsFiles(full);
      return Promise.resolve(entry.name.endsWith(".js") ? [full] : []);
    }),
  );
  return nested.flat();
}

const files = await jsFiles(BUILD_DIR);
if (files.length === 0) throw new Error(`No client JavaScript in ${BUILD_DIR}: run npm run build`);

let total = 0;
const leaks: string[] = [];
for (const file of files) {
  const source = await readFile(file, "utf8");
  total += gzipSync(source).length;
  for (const [library, marker] of Object.entries(FORBIDDEN)) {
    if (marker.test(source)) leaks.push(`${library} in ${path.relative(BUILD_DIR, file)}`);
  }
}

console.log(`${files.length} client files, ${(total / 1024).toFixed(1)} KiB gzip in total`);

const budget = CUSTOMER_PAGE_BUDGET_BYTES;
console.log(
  `\nJavaScript a first visit loads (entry, root, matched routes, their imports; KiB = 1024 bytes):`,
);
const overLimit: string[] = [];
const pages = await clientJsPerPage(BUILD_DIR);
for (const page of pages) {
  const reported = REPORTED_PAGES.find((entry) => entry.path === page.path)!;
  const limit = limitBytes(reported);
  const gzipKiB = (page.gzip / 1024).toFixed(1);
  const verdict =
    limit === null
      ? "staff page, no budget"
      : page.gzip > limit
        ? `OVER the ${budget / 1024} KiB budget by ${((page.gzip - budget) / 1024).toFixed(1)} KiB`
        : `within the ${budget / 1024} KiB budget`;
  console.log(
    `  ${page.path.padEnd(30)} ${gzipKiB.padStart(6)} KiB gzip  ${String(page.files.length).padStart(3)} files  ${verdict}`,
  );
  if (limit !== null && page.gzip > limit) overLimit.push(`${page.path} (${gzipKiB} KiB gzip)`);
}
if (overLimit.length > 0) {
  console.error(`✗ a customer page is over the budget: ${overLimit.join(", ")}`);
  process.exitCode = 1;
}
if (leaks.length > 0) {
  // Name the route modules that pull each leaking chunk in, so the fix is obvious.
  for (const leak of leaks) {
    const chunk = path.basename(leak.split(" in ")[1]!);
    const importers = [];
    for (const file of files) {
      if (!file.endsWith(chunk) && (await readFile(file, "utf8")).includes(chunk)) {
        importers.push(path.relative(BUILD_DIR, file));
      }
    }
    console.error(`✗ ${leak}${importers.length ? ` (imported by ${importers.join(", ")})` : ""}`);
  }
  process.exitCode = 1;
} else {
  console.log("✓ no zod, drizzle-orm or stripe in the browser bundles");
}
