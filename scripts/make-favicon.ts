/**
 * Writes public/favicon.ico from public/favicon.svg: Chromium (the e2e suite's, through
 * playwright-core) renders the SVG at 16, 32 and 48 px, and the ICO container wraps the three
 * PNGs as they are (Windows Vista and every browser since read PNG entries). No packages beyond
 * the ones the tests already use. Run it after changing the SVG and commit the result:
 *
 *   npx tsx scripts/make-favicon.ts
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const PUBLIC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../public");
const SIZES = [16, 32, 48];

/** An ICO file whose entries are PNG images (ICONDIR, one ICONDIRENTRY per image, the PNGs). */
export function icoFromPngs(images: Array<{ size: number; png: Uint8Array }>): Uint8Array {
  const headerBytes = 6 + 16 * images.length;
  const total = headerBytes + images.reduce((sum, image) => sum + image.png.byteLength, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint16(0, 0, true); // reserved
  view.setUint16(2, 1, true); // type 1 = icon
  view.setUint16(4, images.length, true);
  let offset = headerBytes;
  images.forEach(({ size, png }, index) => {
    const entry = 6 + 16 * index;
    view.setUint8(entry, size >= 256 ? 0 : size); // width (0 means 256)
    view.setUint8(entry + 1, size >= 256 ? 0 : size); // height
    view.setUint8(entry + 2, 0); // no palette
    view.setUint8(entry + 3, 0); // reserved
    view.setUint16(entry + 4, 1, true); // colour planes
    view.setUint16(entry + 6, 32, true); // bits per pixel
    view.setUint32(entry + 8, png.byteLength, true);
    view.setUint32(entry + 12, offset, true);
    out.set(png, offset);
    offset += png.byteLength;
  });
  return out;
}

async function main() {
  const svg = await readFile(path.join(PUBLIC, "favicon.svg"), "utf8");
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  });
  try {
    const images = [];
    for (const size of SIZES) {
      const page = await browser.newPage({ viewport: { width: size, height: size } });
      const sized = svg.replace("<svg ", `<svg width="${size}" height="${size}" `);
      await page.setContent(
        `<html><body style="margin:0;background:transparent">${sized}</body></html>`,
      );
      const png = await page.screenshot({
        omitBackground: true,
        clip: { x: 0, y: 0, width: size, height: size },
      });
      images.push({ size, png: new Uint8Array(png) });
      await page.close();
    }
    const ico = icoFromPngs(images);
    await writeFile(path.join(PUBLIC, "favicon.ico"), ico);
    console.log(`public/favicon.ico: ${SIZES.join(", ")} px, ${ico.byteLength} bytes`);
  } finally {
    await browser.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main();
}
