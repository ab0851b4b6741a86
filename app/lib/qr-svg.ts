import { renderSVG } from "uqr";

export interface QrCodeSvgOptions {
  /** Accessible name (title and aria-label). Say what the code is for, not "QR code". */
  label?: string;
  /** Rendered width and height in CSS pixels; the SVG scales cleanly to any size. */
  size?: number;
}

const escapeXml = (value: string) =>
  value
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&apos;");

const SVG_OPEN = /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="([0-9 ]+)">/;

/**
 * `text` as a QR code in an SVG string, for inline use. Error correction M and the 4-module
 * quiet zone the QR specification asks for keep phone cameras reading it at small sizes.
 * The SVG is an image with an accessible name: screen readers announce the label instead of
 * reading out a path.
 */
export function qrCodeSvg(text: string, options: QrCodeSvgOptions = {}): string {
  const label = escapeXml(options.label ?? "QR code");
  const size = Math.round(options.size ?? 200);
  const svg = renderSVG(text, { ecc: "M", border: 4, pixelSize: 1 });
  const match = SVG_OPEN.exec(svg);
  if (!match) throw new Error("uqr returned an SVG in an unexpected shape");
  const open =
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${match[1]}" width="${size}" ` +
    `height="${size}" role="img" aria-label="${label}" shape-rendering="crispEdges">` +
    `<title>${label}</title>`;
  return open + svg.slice(match[0].length);
}
