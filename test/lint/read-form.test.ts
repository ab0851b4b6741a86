import path from "node:path";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { beforeAll, describe, expect, it } from "vitest";

/**
 * Issue 14.7: an action that calls `request.formData()` itself answers a JSON or broken body
 * with a 500. Routes and request glue read forms through `readForm` (415 / 400 with a
 * sentence); this proves the ESLint rule that keeps it so fires, and that the real tree is clean.
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

const ACTION = `export async function action({ request }: { request: Request }) {
  const form = await request.formData();
  return form.get("intent");
}
`;

describe("reading a form", () => {
  it.each([
    ["app/routes/x.tsx", ACTION],
    ["app/routes/admin.x.ts", ACTION.replace("request.formData()", "request.clone().formData()")],
    ["app/request/x.server.ts", ACTION],
  ])("%s may not call request.formData() itself", async (file, source) => {
    expect(await ruleHits(file, source)).toEqual([
      expect.objectContaining({ message: expect.stringContaining("readForm(request)") }),
    ]);
  });

  it("passes an action that reads its form with readForm (positive control)", async () => {
    const source = `import { readForm } from "~/request/read-form.server";\n${ACTION.replace(
      "request.formData()",
      "readForm(request)",
    )}`;
    expect(await ruleHits("app/routes/x.tsx", source)).toEqual([]);
  });

  it("leaves no direct request.formData() in app/routes or app/request", async () => {
    const results = await eslint.lintFiles(["app/routes/**/*.{ts,tsx}", "app/request/**/*.ts"]);
    const hits = results.flatMap((result) =>
      result.messages
        .filter((message) => message.ruleId === RULE)
        .map((message) => `${path.relative(root, result.filePath)}:${message.line}`),
    );
    expect(hits).toEqual([]);
  }, 120_000);
});
