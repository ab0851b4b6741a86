/**
 * Product management (issue 4, item 1): an editor logs in with a TOTP code, creates a
 * product, uploads its file through the streaming upload widget (progress bar and status),
 * publishes it, and finds it in the public catalog.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import type { Page } from "playwright-core";
import {
  assertNoBrowserIssues,
  openTrackedPage,
  screenshot,
  visit,
  type E2EContext,
} from "./browser";
import { logInAsStaff } from "./outbox";
import { createSuite } from "./runner";

const suite = createSuite<E2EContext>();
export const adminProductTests = suite.tests;
const test = suite.test;

/** Log the demo editor in (a fresh TOTP step if another journey just used this one). */
const logInAsEditor = (page: Page) =>
  logInAsStaff(page, "editor@demo.test", "demo-password-editor");

test("an editor creates and publishes a product with an uploaded file", async (context) => {
  const tracked = await openTrackedPage(context);
  const { page } = tracked;
  try {
    await logInAsEditor(page);

    await visit(page, "/admin/products");
    await page.getByRole("link", { name: "Products" }).first().waitFor();
    await page.getByRole("link", { name: "New product" }).click();
    await page.waitForURL("**/admin/products/new");

    const suffix = Date.now().toString(36);
    const name = `Aurora Dashboard ${suffix}`;
    const slug = `aurora-dashboard-${suffix}`;
    await page.getByLabel("Name", { exact: true }).fill(name);
    await page.getByLabel("Slug").fill(slug);
    await page.getByLabel("Tagline").fill("A calm admin dashboard template.");
    await page.getByLabel("Category").selectOption("TEMPLATE");
    await page.getByLabel("Tags").fill("dashboard, admin");
    await page.getByLabel("Description").fill("## Aurora\n\nEverything for a **calm** dashboard.");
    await page.getByLabel("Personal license price").fill("not a price");
    await page.getByRole("button", { name: "Create product" }).click();
    await page.getByText("Enter an amount like 19.99").waitFor();
    await screenshot(context, page, "admin-product-new-invalid");

    await page.getByLabel("Personal license price").fill("39.00");
    await page.getByLabel("Commercial license price").fill("99.50");
    await page.getByRole("button", { name: "Create product" }).click();
    await page.waitForURL(/\/admin\/products\/[a-z0-9]+$/);
    await page.getByRole("heading", { name }).waitFor();

    // Publishing before there is a file is refused with a sentence.
    await page.getByLabel("Status").selectOption("PUBLISHED");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Upload the product file before publishing").first().waitFor();

    // The upload: ~1.5 MB, streamed with XHR; the bar and the status follow it.
    const bytes = randomBytes(1_572_864);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const widget = page.locator('[data-upload-kind="file"]');
    await widget.getByLabel("Upload the product file", { exact: true }).setInputFiles({
      name: "aurora-dashboard.zip",
      mimeType: "application/zip",
      buffer: bytes,
    });
    await widget
      .getByRole("status")
      .filter({ hasText: /^Stored · 1\.5 MB · sha256 / })
      .waitFor();
    assert.equal(await widget.locator("progress").getAttribute("value"), "100");
    assert.match(
      (await widget.getByRole("status").textContent()) ?? "",
      new RegExp(sha256.slice(0, 16)),
    );
    // The page reloaded its data: the stored file's name and full SHA-256 are shown.
    await page.getByTestId("product-file").getByText(sha256).waitFor();
    await page.getByTestId("product-file").getByText("aurora-dashboard.zip").waitFor();
    await screenshot(context, page, "admin-product-uploaded");

    await page.getByLabel("Status").selectOption("PUBLISHED");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Published: the product is in the catalog.").waitFor();
    await page.getByRole("link", { name: "View in the catalog" }).waitFor();

    await visit(page, `/admin/products?q=${suffix}`);
    const listed = page.locator("tr", { hasText: name });
    await listed.getByText("published").waitFor();
    await listed.getByText("aurora-dashboard.zip").waitFor();
    await screenshot(context, page, "admin-products-list");

    await visit(page, "/products");
    await page.getByRole("link", { name }).first().click();
    await page.waitForURL(`**/products/${slug}`);
    await page.getByRole("heading", { name, level: 1 }).waitFor();
    await page.getByText("$99.50").first().waitFor();
    await screenshot(context, page, "admin-product-in-catalog");

    // The create form's refused attempt answered 400, the early publish 409: both on purpose.
    assertNoBrowserIssues(tracked, [
      /HTTP 400: POST .*\/admin\/products\/new/,
      /HTTP 409: POST .*\/admin\/products\//,
      /status of 40[09]/,
    ]);
  } finally {
    await tracked.close();
  }
});

test("uploads finishing together revalidate the product page without a console AbortError (issue 16)", async (context) => {
  const tracked = await openTrackedPage(context);
  const { page } = tracked;
  try {
    // The first test used this step's code: log in with the next one.
    await logInAsEditor(page);

    await visit(page, "/admin/products/new");
    const suffix = Date.now().toString(36);
    await page.getByLabel("Name", { exact: true }).fill(`Parallel Uploads ${suffix}`);
    await page.getByLabel("Slug").fill(`parallel-uploads-${suffix}`);
    await page.getByLabel("Category").selectOption("ASSET");
    await page.getByLabel("Personal license price").fill("12.00");
    await page.getByRole("button", { name: "Create product" }).click();
    await page.waitForURL(/\/admin\/products\/[a-z0-9]+$/);

    // A 1×1 PNG for the images, a small zip for the file: all three sent at once, so their
    // revalidations overlap (each used to abort the one before it mid-stream).
    const png = Buffer.from(
      "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082",
      "hex",
    );
    const uploads: Array<[string, { name: string; mimeType: string; buffer: Buffer }]> = [
      ["file", { name: "bundle.zip", mimeType: "application/zip", buffer: randomBytes(200_000) }],
      ["thumbnail", { name: "cover.png", mimeType: "image/png", buffer: png }],
      ["preview", { name: "preview.png", mimeType: "image/png", buffer: png }],
    ];
    await Promise.all(
      uploads.map(([kind, file]) =>
        page.locator(`[data-upload-kind="${kind}"] input[type="file"]`).setInputFiles(file),
      ),
    );
    for (const [kind] of uploads) {
      await page
        .locator(`[data-upload-kind="${kind}"]`)
        .getByRole("status")
        .filter({ hasText: /^Stored · / })
        .waitFor();
    }
    await page.getByTestId("product-file").getByText("bundle.zip").waitFor();
    await page.waitForLoadState("networkidle");
    assertNoBrowserIssues(tracked);
  } finally {
    await tracked.close();
  }
});
