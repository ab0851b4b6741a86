import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { beforeAll, describe, expect, it } from "vitest";

/**
 * The layer arrows of docs/patterns.md are ESLint rules; these tests prove they fire. Each
 * source is linted with the project's own config as if it lived at the path given (nothing is
 * written there), so that folder's rule block applies. They run in the "node" vitest project:
 * ESLint cannot run inside workerd.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const fixture = (name: string) => readFile(path.join(root, "test/lint/fixtures", name), "utf8");

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: root, overrideConfigFile: path.join(root, ".eslint.config.js") });
});

async function lintAs(filePath: string, source: string) {
  const [result] = await eslint.lintText(source, { filePath: path.join(root, filePath) });
  return result!.messages.map(({ ruleId, message }) => ({ ruleId, message }));
}

const reExport = (source: string) => `export { something } from "${source}";\n`;

const LIB = "app/lib is the lowest layer";
const SERVICES = "Services never import request glue or routes";
const REQUEST = "Request glue serves the routes";
const DOMAIN = "Domain code is pure";

describe("the layer rule for app/lib", () => {
  it("fails a lib module that imports a service, naming the import and the rule", async () => {
    const source = await fixture("lib-imports-a-service.ts");
    expect(await lintAs("app/lib/lint-fixture.ts", source)).toEqual([
      {
        ruleId: "no-restricted-imports",
        message:
          "'~/services/auth/login.server' import is restricted from being used by a pattern. " +
          "app/lib is the lowest layer: it imports nothing from services, request, routes or components.",
      },
    ]);
  });

  it("passes a lib module that imports lib (positive control)", async () => {
    const source = await fixture("lib-imports-lib.ts");
    expect(await lintAs("app/lib/lint-fixture.ts", source)).toEqual([]);
  });
});

describe("the layer arrows", () => {
  it.each([
    ["app/lib/x.ts", "~/request/auth.server", LIB],
    ["app/lib/x.ts", "~/routes/login", LIB],
    ["app/lib/x.ts", "~/components/forms", LIB],
    ["app/lib/x.ts", "../services/audit.server", LIB],
    ["app/lib/x.ts", "../request/auth.server", LIB],
    ["app/services/x.server.ts", "~/request/auth.server", SERVICES],
    ["app/services/x.server.ts", "~/routes/login", SERVICES],
    ["app/services/auth/x.server.ts", "../../request/auth.server", SERVICES],
    ["app/request/x.server.ts", "~/routes/login", REQUEST],
    ["app/request/x.server.ts", "../routes/login", REQUEST],
    ["app/domain/x.ts", "~/services/audit.server", DOMAIN],
    ["app/domain/x.ts", "~/components/forms", DOMAIN],
  ])("%s may not import %s", async (file, source, message) => {
    expect(await lintAs(file, reExport(source))).toEqual([
      { ruleId: "no-restricted-imports", message: expect.stringContaining(message) },
    ]);
  });

  it.each([
    ["app/lib/x.ts", "./format"],
    ["app/lib/x.ts", "~/lib/format"],
    ["app/domain/x.ts", "~/lib/format"],
    ["app/services/x.server.ts", "~/domain/refusal"],
    ["app/services/auth/x.server.ts", "../audit.server"],
    ["app/request/x.server.ts", "~/services/audit.server"],
    ["app/routes/x.tsx", "~/request/auth.server"],
  ])("%s may import %s", async (file, source) => {
    expect(await lintAs(file, reExport(source))).toEqual([]);
  });

  it("keeps zod behind ~/lib/zod in every layer", async () => {
    for (const file of ["app/lib/x.ts", "app/services/x.server.ts", "app/routes/x.tsx"]) {
      expect(await lintAs(file, reExport("zod"))).toEqual([
        { ruleId: "no-restricted-imports", message: expect.stringContaining("~/lib/zod") },
      ]);
    }
  });
});
