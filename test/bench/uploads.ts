/**
 * Product upload bench: how fast the streamed upload route stores files of growing size in
 * local R2, and how much memory the local runtime holds meanwhile. If the Worker buffered
 * uploads, its memory would grow with the file; streamed, it stays flat.
 *
 * Part of `npm run bench` (run.ts calls `benchUploads`), or alone against a fresh stack:
 *   npx tsx test/bench/uploads.ts        (or BENCH_ONLY=uploads npm run bench)
 */
import { randomBytes } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { totpCode } from "~/domain/auth/totp";
import {
  buildSnapshot,
  describeError,
  makeStateDir,
  migrateAndSeed,
  onInterrupt,
  removeDir,
  startWranglerDev,
  type WranglerDev,
} from "../e2e/local-stack";

const MB = 1024 * 1024;
export const UPLOAD_SIZES_MB = [1, 10, 50, 90];

export interface UploadBenchRow {
  sizeMb: number;
  seconds: number;
  mbPerSecond: number;
  /** Resident memory of this bench's wrangler/workerd processes, sampled during the upload. */
  peakRssMb: number | null;
  status: number;
}

/** Resident set size (MB) of every process descended from this one: the local wrangler stack. */
async function descendantsRssMb(): Promise<number | null> {
  try {
    const parents = new Map<number, number>();
    const rss = new Map<number, number>();
    for (const entry of await readdir("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = await readFile(`/proc/${entry}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        parents.set(Number(entry), Number(fields[1]));
        const status = await readFile(`/proc/${entry}/status`, "utf8");
        const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
        rss.set(Number(entry), kb ? Number(kb) / 1024 : 0);
      } catch {
        // The process ended while we looked.
      }
    }
    const isDescendant = (pid: number): boolean => {
      for (let current = parents.get(pid); current; current = parents.get(current)) {
        if (current === process.pid) return true;
      }
      return false;
    };
    let total = 0;
    for (const [pid, mb] of rss) if (isDescendant(pid)) total += mb;
    return Math.round(total);
  } catch {
    return null; // Not Linux.
  }
}

/** Cookies from a response, merged into a jar. */
function keepCookies(jar: Map<string, string>, response: Response): void {
  for (const header of response.headers.getSetCookie()) {
    const [pair] = header.split(";");
    const at = pair!.indexOf("=");
    jar.set(pair!.slice(0, at), pair!.slice(at + 1));
  }
}
const cookieHeader = (jar: Map<string, string>) =>
  [...jar].map(([name, value]) => `${name}=${value}`).join("; ");

/** Log in as the demo editor (password, then TOTP) and return the session cookies. */
async function editorSession(baseUrl: string): Promise<Map<string, string>> {
  const jar = new Map<string, string>();
  const post = async (path: string, fields: Record<string, string>) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method: "POST",
      redirect: "manual",
      headers: {
        Origin: baseUrl,
        "Content-Type": "application/x-www-form-urlencoded",
        Cookie: cookieHeader(jar),
      },
      body: new URLSearchParams(fields),
    });
    keepCookies(jar, response);
    return response;
  };
  const login = await post("/login", {
    email: "editor@demo.test",
    password: "demo-password-editor",
    redirectTo: "/admin/products",
  });
  if (login.status !== 302) throw new Error(`log-in answered ${login.status}`);
  const code = await totpCode("JBSWY3DPEHPK3PXP", Date.now());
  const second = await post("/login/2fa?redirectTo=%2Fadmin%2Fproducts", { code });
  if (second.status !== 302) throw new Error(`2FA step answered ${second.status}`);
  return jar;
}

/** Create a draft product through the admin form; returns its id. */
async function createProduct(baseUrl: string, jar: Map<string, string>): Promise<string> {
  const suffix = Date.now().toString(36);
  const response = await fetch(`${baseUrl}/admin/products/new`, {
    method: "POST",
    redirect: "manual",
    headers: {
      Origin: baseUrl,
      "Content-Type": "application/x-www-form-urlencoded",
      Cookie: cookieHeader(jar),
    },
    body: new URLSearchParams({
      name: `Upload bench ${suffix}`,
      slug: `upload-bench-${suffix}`,
      category: "ASSET",
      pricePersonal: "9.00",
      currency: "USD",
      teamSeats: "5",
      version: "1.0.0",
    }),
  });
  const id = /\/admin\/products\/([a-z0-9]+)$/.exec(response.headers.get("Location") ?? "")?.[1];
  if (!id) throw new Error(`creating the bench product answered ${response.status}`);
  return id;
}

/** Upload files of each size once (after a 1 MB warm-up) and time them. */
export async function benchUploads(server: WranglerDev): Promise<UploadBenchRow[]> {
  const jar = await editorSession(server.url);
  const productId = await createProduct(server.url, jar);
  const upload = async (bytes: Uint8Array<ArrayBuffer>) => {
    const response = await fetch(
      `${server.url}/admin/products/${productId}/uploads/file?name=bench.zip`,
      {
        method: "POST",
        headers: {
          Origin: server.url,
          "Content-Type": "application/zip",
          Cookie: cookieHeader(jar),
        },
        body: bytes,
      },
    );
    await response.text();
    return response.status;
  };
  await upload(new Uint8Array(randomBytes(MB)));

  const rows: UploadBenchRow[] = [];
  for (const sizeMb of UPLOAD_SIZES_MB) {
    const bytes = new Uint8Array(randomBytes(sizeMb * MB));
    let peak = (await descendantsRssMb()) ?? 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, (await descendantsRssMb()) ?? 0);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const started = performance.now();
    const status = await upload(bytes);
    const seconds = (performance.now() - started) / 1000;
    sampling = false;
    await sampler;
    rows.push({
      sizeMb,
      seconds: Number(seconds.toFixed(2)),
      mbPerSecond: Number((sizeMb / seconds).toFixed(1)),
      peakRssMb: peak || null,
      status,
    });
    console.log(`  ${sizeMb} MB: ${seconds.toFixed(2)} s, HTTP ${status}, peak RSS ${peak} MB`);
  }
  return rows;
}

export function uploadTable(rows: UploadBenchRow[]): string {
  const lines = [
    "| file | time (s) | MB/s | peak RSS of the local stack (MB) | HTTP |",
    "|---:|---:|---:|---:|---:|",
    ...rows.map(
      (row) =>
        `| ${row.sizeMb} MB | ${row.seconds} | ${row.mbPerSecond} | ${row.peakRssMb ?? "n/a"} | ${row.status} |`,
    ),
  ];
  return lines.join("\n");
}

/** The BENCHMARKS.md section. */
export function uploadsMarkdown(rows: UploadBenchRow[]): string {
  return `
## Product uploads (streamed to R2)

\`POST /admin/products/:id/uploads/file\` as the demo editor, one upload per size after a 1 MB
warm-up, against the same \`wrangler dev\` (local R2 writes to disk). Peak RSS is the summed
resident memory of this run's wrangler and workerd processes, sampled every 100 ms during each
upload (test/bench/uploads.ts): it should stay flat as files grow, because the Worker streams the
body into R2 instead of buffering it.

${uploadTable(rows)}
`;
}

/** Standalone: a fresh build, database and wrangler dev just for this bench. */
export async function runUploadBenchAlone(): Promise<number> {
  let stateDir: string | undefined;
  let server: WranglerDev | undefined;
  const cleanup = async () => {
    await server?.stop();
    server = undefined;
    await removeDir(stateDir);
    stateDir = undefined;
  };
  onInterrupt(cleanup);
  try {
    stateDir = await makeStateDir("storefront-bench-uploads-");
    console.log("• Building for production…");
    const snapshot = await buildSnapshot(stateDir, { env: { NODE_ENV: "production" } });
    console.log("• Migrating and seeding…");
    await migrateAndSeed(stateDir);
    server = await startWranglerDev({
      snapshot,
      persistTo: stateDir,
      readyPath: "/healthz",
      logLevel: "warn",
      asDeployed: true,
    });
    console.log(`• Uploading to ${server.url}…`);
    const rows = await benchUploads(server);
    console.log(`\n${uploadTable(rows)}\n`);
    return rows.every((row) => row.status === 200) ? 0 : 1;
  } catch (error) {
    console.error(`Upload bench failed:\n${describeError(error)}`);
    return 1;
  } finally {
    await cleanup();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await runUploadBenchAlone();
}
