import path from "node:path";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { beforeAll, describe, expect, it } from "vitest";

/**
 * Issue 16: dates were printed by two dozen module-level formatters mixing "en" and "en-GB".
 * app/lib/format.ts is now the only module that makes an Intl.DateTimeFormat; this proves the
 * ESLint rule that keeps it so fires (in routes too, where another restricted-syntax rule
 * lives), spares format.ts, and that the real tree is clean.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const RULE = "no-restricted-syntax";

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: root, overrideConfigFile: path.join(root, ".eslint.config.js") });
});

async function ruleHits(filePath: string, source: string) {
  const [result] = await eslint.lintText(source, { filePath: path.join(root, filePath) });
  return result!.messages.filter((message) => message.ruleId === RULE);
}

const FORMATTER = `const format = new Intl.DateTimeFormat("en", { dateStyle: "medium" });
export const when = (date: Date) => format.format(date);
`;

describe("formatting dates", () => {
  it.each([
    ["app/routes/x.tsx", FORMATTER],
    ["app/components/x.tsx", FORMATTER.replace("new Intl", "Intl")],
    ["app/domain/x.ts", FORMATTER],
    ["app/services/x.server.ts", "export const when = (d: Date) => d.toLocaleDateString();\n"],
    ["app/request/x.server.ts", "export const when = (d: Date) => d.toLocaleTimeString();\n"],
    ["app/lib/x.ts", "export const now = () => new Date().toLocaleString();\n"],
  ])("%s may not make its own date formatter", async (file, source) => {
    expect(await ruleHits(file, source)).toEqual([
      expect.objectContaining({ message: expect.stringContaining("~/lib/format") }),
    ]);
  });

  it("keeps the form rule in routes next to the date rule", async () => {
    const source = `${FORMATTER}export async function action({ request }: { request: Request }) {
  return (await request.formData()).get("x");
}
`;
    const messages = (await ruleHits("app/routes/x.tsx", source)).map((hit) => hit.message);
    expect(messages).toEqual([
      expect.stringContaining("~/lib/format"),
      expect.stringContaining("readForm(request)"),
    ]);
  });

  it("lets app/lib/format.ts make formatters, and numbers use toLocaleString (positive controls)", async () => {
    expect(await ruleHits("app/lib/format.ts", FORMATTER)).toEqual([]);
    expect(
      await ruleHits(
        "app/routes/x.tsx",
        'export const n = (count: number) => count.toLocaleString("en-GB");\n',
      ),
    ).toEqual([]);
    expect(
      await ruleHits(
        "app/routes/x.tsx",
        'import { formatDateTime } from "~/lib/format";\nexport const when = (d: Date) => formatDateTime(d);\n',
      ),
    ).toEqual([]);
  });

  it("leaves no other date formatter in app/", async () => {
    const results = await eslint.lintFiles(["app/**/*.{ts,tsx}"]);
    const hits = results.flatMap((result) =>
      result.messages
        .filter((message) => message.ruleId === RULE && message.message.includes("~/lib/format"))
        .map((message) => `${path.relative(root, result.filePath)}:${message.line}`),
    );
    expect(hits).toEqual([]);
  }, 120_000);
});
