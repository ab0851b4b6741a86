// ESLint flat config. Kept as a dotfile so the top level stays exactly what the product
// brief lists; `npm run lint` passes it with --config.
import js from "@eslint/js";
import jsxA11y from "eslint-plugin-jsx-a11y";
import react from "eslint-plugin-react";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

// zod only through ~/lib/zod (jitless: no eval probe, no CSP violation).
const ZOD_THROUGH_LIB = {
  name: "zod",
  message: 'Import { z } from "~/lib/zod" (jitless mode for Workers and the CSP).',
};

/**
 * `no-restricted-imports` for one layer (docs/patterns.md, "Layers"). A later block replaces
 * the rule's options wholesale, so every layer repeats the zod path through this.
 */
const restrictImports = (...patterns) => ({
  "no-restricted-imports": ["error", { paths: [ZOD_THROUGH_LIB], patterns }],
});

/** An import of app/<layer>/…, by the `~/` alias or by a relative path climbing into it. */
const intoLayers = (...layers) => `^(~|\\.\\.(/\\.\\.)*)/(${layers.join("|")})(/|$)`;

const DATE_FORMAT_MESSAGE =
  "Format dates with ~/lib/format (formatDate, formatDateTime) or <LocalTime> from ~/components/local-time: one locale and cached formatters.";
const DATE_FORMAT_RULES = [
  {
    selector: "NewExpression[callee.object.name='Intl'][callee.property.name='DateTimeFormat']",
    message: DATE_FORMAT_MESSAGE,
  },
  {
    selector: "CallExpression[callee.object.name='Intl'][callee.property.name='DateTimeFormat']",
    message: DATE_FORMAT_MESSAGE,
  },
  {
    selector:
      "CallExpression[callee.property.name=/^toLocale(Date|Time)String$/], CallExpression[callee.property.name='toLocaleString'][callee.object.type='NewExpression'][callee.object.callee.name='Date']",
    message: DATE_FORMAT_MESSAGE,
  },
];

export default tseslint.config(
  {
    ignores: [
      "build/",
      "public/build/",
      "node_modules/",
      "**/.wrangler/",
      "test-results/",
      "migrations/meta/",
      // Linted on purpose by test/lint/layers.test.ts, under the path each one pretends to have.
      "test/lint/fixtures/",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.{ts,tsx}"],
    plugins: { react, "react-hooks": reactHooks, "jsx-a11y": jsxA11y },
    languageOptions: {
      globals: { ...globals.browser, ...globals.node, ...globals.serviceworker },
      parserOptions: { ecmaFeatures: { jsx: true } },
    },
    settings: { react: { version: "18.3" } },
    rules: {
      ...react.configs.recommended.rules,
      ...react.configs["jsx-runtime"].rules,
      ...reactHooks.configs.recommended.rules,
      ...jsxA11y.configs.recommended.rules,
      "react/prop-types": "off",
      // Lists styled without bullets need role="list" back for Safari's VoiceOver.
      "jsx-a11y/no-redundant-roles": ["error", { ul: ["list"] }],
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      ...restrictImports(),
    },
  },
  {
    files: ["app/routes/**/*.{ts,tsx}"],
    rules: restrictImports(
      {
        group: ["drizzle-orm", "drizzle-orm/*"],
        message: "Routes call services; they never build queries.",
      },
      {
        group: ["#db/client", "#db/schema", "#db/schema/index"],
        message: "Routes call services; only enums may be imported from db/schema/enums.",
      },
    ),
  },
  {
    files: ["app/request/**/*.ts"],
    rules: restrictImports({
      regex: intoLayers("routes"),
      message: "Request glue serves the routes; it never imports one.",
    }),
  },
  {
    files: ["app/services/**/*.ts"],
    rules: restrictImports(
      {
        group: ["@remix-run/*"],
        message: "Services never import Remix; routes turn results into responses.",
      },
      {
        regex: intoLayers("request", "routes"),
        message: "Services never import request glue or routes; routes call services.",
      },
    ),
  },
  {
    files: ["app/domain/**/*.ts"],
    rules: restrictImports(
      {
        group: [
          "drizzle-orm",
          "drizzle-orm/*",
          "@remix-run/*",
          "#db/client",
          "#db/schema",
          "#db/schema/index",
        ],
        message: "Domain code is pure: no database, no Remix.",
      },
      {
        regex: intoLayers("services", "request", "routes", "components"),
        message: "Domain code is pure: it imports only domain, lib and db/schema/enums.",
      },
    ),
  },
  {
    files: ["app/lib/**/*.{ts,tsx}"],
    rules: restrictImports({
      regex: intoLayers("services", "request", "routes", "components"),
      message:
        "app/lib is the lowest layer: it imports nothing from services, request, routes or components.",
    }),
  },
  {
    // Dates have one formatter module (app/lib/format.ts: one locale, cached formatters, UTC on
    // the server) and <LocalTime> for the viewer's zone; nothing else makes its own.
    files: ["app/**/*.{ts,tsx}"],
    ignores: ["app/lib/format.ts"],
    rules: { "no-restricted-syntax": ["error", ...DATE_FORMAT_RULES] },
  },
  {
    // Actions read their form through readForm (app/request/read-form.server.ts): a JSON or
    // broken body is a 415 / 400 with a sentence there, and a 500 from request.formData().
    // (The date rules are repeated: a later block's options replace an earlier one's.)
    files: ["app/routes/**/*.{ts,tsx}", "app/request/**/*.ts"],
    ignores: ["app/request/read-form.server.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        ...DATE_FORMAT_RULES,
        {
          selector: "CallExpression[callee.property.name='formData']",
          message:
            "Read a form with readForm(request) from ~/request/read-form.server: a body that is not a form is a 415, not a 500.",
        },
      ],
    },
  },
  {
    files: ["app/lib/zod.ts", "app/lib/zod-api.ts", "test/**/*.ts", "db/**/*.ts"],
    rules: { "no-restricted-imports": "off" },
  },
  {
    files: ["**/*.js"],
    languageOptions: { globals: { ...globals.node } },
  },
);
