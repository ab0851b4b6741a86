/**
 * Draws the demo products' cover and preview artwork (db/demo-data.ts) as SVG and renders each
 * to PNG with Chromium: `/media/*` serves raster images only (an SVG on our origin could run
 * script), so the seed stores the PNGs. Run it after changing a drawing and commit both files:
 *
 *   npx tsx db/demo-media/generate.ts
 *
 * Every image is 1280×720 (16:9, the card's and the gallery's shape).
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const W = 1280;
const H = 720;
const DIR = path.dirname(fileURLToPath(import.meta.url));
const SANS = "'DejaVu Sans', 'Liberation Sans', Arial, sans-serif";
const SERIF = "'DejaVu Serif', 'Liberation Serif', Georgia, serif";
const MONO = "'DejaVu Sans Mono', 'Liberation Mono', monospace";

const svg = (background: string, body: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">` +
  `<rect width="${W}" height="${H}" fill="${background}"/>${body}</svg>\n`;

const rect = (x: number, y: number, w: number, h: number, fill: string, r = 0, extra = "") =>
  `<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="${r}" fill="${fill}" ${extra}/>`;

const text = (
  x: number,
  y: number,
  content: string,
  { size = 24, fill = "#1c1b22", font = SANS, weight = 400, anchor = "start" } = {},
) =>
  `<text x="${x}" y="${y}" font-family="${font}" font-size="${size}" font-weight="${weight}" fill="${fill}" text-anchor="${anchor}">${content}</text>`;

/** Grey bars standing in for lines of text. */
const lines = (x: number, y: number, widths: number[], fill: string, height = 10, gap = 22) =>
  widths.map((w, i) => rect(x, y + i * gap, w, height, fill, height / 2)).join("");

/** A browser window with its content drawn by `inner` at (0,0) inside a translated group. */
const browser = (x: number, y: number, w: number, h: number, inner: string, dark = false) =>
  `<g transform="translate(${x} ${y})">` +
  rect(6, 10, w, h, "rgba(16,24,40,0.18)", 14) +
  rect(0, 0, w, h, dark ? "#16151c" : "#ffffff", 14) +
  rect(0, 0, w, 40, dark ? "#24232d" : "#eceae4", 14) +
  rect(0, 26, w, 14, dark ? "#24232d" : "#eceae4") +
  `<circle cx="22" cy="20" r="6" fill="#f87171"/><circle cx="42" cy="20" r="6" fill="#fbbf24"/><circle cx="62" cy="20" r="6" fill="#34d399"/>` +
  rect(92, 11, Math.min(360, w - 120), 18, dark ? "#16151c" : "#ffffff", 9) +
  `<g transform="translate(0 40)">${inner}</g></g>`;

// ---------------------------------------------------------------- Northwind Portfolio Template
const northwindTiles = (x: number, y: number, cols: number, size: number, gap: number) => {
  const colours = ["#0f766e", "#f59e0b", "#1e3a8a", "#e11d48", "#65a30d", "#7c3aed"];
  let out = "";
  for (let i = 0; i < cols * 2; i++) {
    const cx = x + (i % cols) * (size + gap);
    const cy = y + Math.floor(i / cols) * (size * 0.75 + gap + 34);
    out += rect(cx, cy, size, size * 0.75, colours[i % colours.length]!, 8);
    out += `<circle cx="${cx + size * 0.7}" cy="${cy + size * 0.28}" r="${size * 0.12}" fill="rgba(255,255,255,0.35)"/>`;
    out += `<path d="M${cx} ${cy + size * 0.75 - 8} L${cx + size * 0.35} ${cy + size * 0.4} L${cx + size * 0.6} ${cy + size * 0.6} L${cx + size} ${cy + size * 0.3} L${cx + size} ${cy + size * 0.75 - 8} Z" fill="rgba(255,255,255,0.18)"/>`;
    out += lines(cx, cy + size * 0.75 + 12, [size * 0.7, size * 0.45], "#d6d3cb", 8, 14);
  }
  return out;
};

const northwindPage = (w: number) =>
  text(48, 62, "Northwind", { size: 22, weight: 700, fill: "#0f172a" }) +
  ["Work", "About", "Journal", "Contact"]
    .map((label, i) => text(w - 380 + i * 88, 62, label, { size: 16, fill: "#475569" }))
    .join("") +
  text(48, 150, "Quiet work,", { size: 52, weight: 700, fill: "#0f172a", font: SERIF }) +
  text(48, 210, "loud results.", { size: 52, weight: 700, fill: "#0f766e", font: SERIF }) +
  lines(48, 240, [460, 380], "#cbd5e1", 10, 22) +
  northwindTiles(48, 300, 4, (w - 96 - 3 * 24) / 4, 24);

const northwind = {
  cover: svg(
    "#e6f2ef",
    `<circle cx="1180" cy="80" r="220" fill="#c7e6df"/><circle cx="90" cy="690" r="160" fill="#f7e2b5"/>` +
      browser(120, 70, 1040, 600, northwindPage(1040)),
  ),
  previews: [
    svg(
      "#0f172a",
      browser(
        80,
        60,
        1120,
        620,
        rect(0, 0, 1120, 580, "#f8fafc") +
          text(60, 90, "Case study", { size: 18, fill: "#0f766e", weight: 700 }) +
          text(60, 150, "Harbour Coffee rebrand", {
            size: 44,
            weight: 700,
            font: SERIF,
            fill: "#0f172a",
          }) +
          rect(60, 190, 620, 340, "#0f766e", 10) +
          `<circle cx="370" cy="360" r="110" fill="#f59e0b"/>` +
          text(370, 378, "HC", { size: 64, weight: 700, fill: "#0f172a", anchor: "middle" }) +
          lines(720, 200, [340, 300, 320, 260, 330, 280, 200], "#cbd5e1", 10, 28) +
          rect(720, 420, 160, 48, "#0f172a", 24) +
          text(800, 451, "Read more", { size: 17, fill: "#fff", anchor: "middle" }),
      ),
    ),
    svg(
      "#f7e2b5",
      [0, 1, 2]
        .map((i) =>
          browser(
            70 + i * 390,
            90 + (i % 2) * 40,
            360,
            540,
            rect(0, 0, 360, 500, ["#ffffff", "#0f172a", "#e6f2ef"][i]!) +
              text(24, 48, "Northwind", {
                size: 16,
                weight: 700,
                fill: i === 1 ? "#f8fafc" : "#0f172a",
              }) +
              rect(24, 80, 312, 200, ["#0f766e", "#f59e0b", "#1e3a8a"][i]!, 8) +
              lines(24, 310, [280, 220, 250], i === 1 ? "#334155" : "#cbd5e1", 10, 24) +
              rect(24, 400, 140, 40, i === 1 ? "#f59e0b" : "#0f172a", 20),
          ),
        )
        .join("") +
        text(640, 60, "Responsive from 320 px to 4K", {
          size: 26,
          weight: 700,
          fill: "#0f172a",
          anchor: "middle",
        }),
    ),
  ],
};

// ---------------------------------------------------------------- Ledger UI Kit
const bars = (x: number, y: number, values: number[], colour: string, width = 28, gap = 16) =>
  values.map((v, i) => rect(x + i * (width + gap), y - v, width, v, colour, 4)).join("");

const ledgerDashboard = (w: number) =>
  rect(0, 0, 200, 600, "#1e1b4b") +
  text(28, 50, "Ledger", { size: 22, weight: 700, fill: "#fff" }) +
  ["Overview", "Invoices", "Customers", "Reports", "Settings"]
    .map(
      (label, i) =>
        (i === 0 ? rect(16, 82 + i * 44, 168, 34, "#4338ca", 8) : "") +
        text(32, 105 + i * 44, label, { size: 15, fill: i === 0 ? "#fff" : "#a5b4fc" }),
    )
    .join("") +
  [
    ["Revenue", "$48,210", "#4338ca"],
    ["Open invoices", "23", "#be185d"],
    ["Paid this month", "$12,940", "#067647"],
  ]
    .map(
      ([label, value, colour], i) =>
        rect(230 + i * ((w - 260) / 3), 30, (w - 290) / 3, 110, "#f5f5ff", 12) +
        text(250 + i * ((w - 260) / 3), 66, label!, { size: 15, fill: "#5d5b68" }) +
        text(250 + i * ((w - 260) / 3), 112, value!, { size: 32, weight: 700, fill: colour }),
    )
    .join("") +
  rect(230, 164, w - 260, 220, "#ffffff", 12, 'stroke="#e3e1da"') +
  text(254, 198, "Monthly revenue", { size: 16, weight: 700 }) +
  bars(260, 364, [60, 90, 75, 120, 110, 140, 130, 160, 150, 170, 150, 175], "#6366f1", 30, 24) +
  rect(230, 400, w - 260, 170, "#ffffff", 12, 'stroke="#e3e1da"') +
  [0, 1, 2, 3]
    .map(
      (i) =>
        rect(230, 440 + i * 32, w - 260, 1, "#e3e1da") +
        lines(254, 418 + i * 32, [120], "#c7c9f5", 10) +
        lines(480, 418 + i * 32, [90], "#e3e1da", 10) +
        rect(w - 160, 412 + i * 32, 76, 22, ["#dcfce7", "#fef3c7", "#dcfce7", "#fee2e2"][i]!, 11),
    )
    .join("");

const ledger = {
  cover: svg(
    "#be185d",
    `<circle cx="1180" cy="660" r="360" fill="#f97316"/><circle cx="60" cy="40" r="180" fill="#f97316" opacity="0.5"/>` +
      browser(140, 80, 1000, 600, ledgerDashboard(1000)),
  ),
  previews: [
    svg(
      "#f5f5ff",
      text(80, 100, "Buttons", { size: 28, weight: 700 }) +
        [
          ["Save changes", "#4338ca", "#fff"],
          ["Cancel", "#ffffff", "#1c1b22"],
          ["Delete", "#b42318", "#fff"],
          ["Export CSV", "#eef0ff", "#3730a3"],
        ]
          .map(
            ([label, bg, fg], i) =>
              rect(80 + i * 270, 130, 240, 56, bg!, 10, 'stroke="#d4d4e8"') +
              text(200 + i * 270, 166, label!, { size: 19, fill: fg, anchor: "middle" }),
          )
          .join("") +
        text(80, 260, "Inputs", { size: 28, weight: 700 }) +
        rect(80, 290, 500, 60, "#fff", 10, 'stroke="#4338ca" stroke-width="3"') +
        text(104, 328, "ada@example.com", { size: 20, fill: "#1c1b22" }) +
        rect(620, 290, 500, 60, "#fff", 10, 'stroke="#b42318" stroke-width="2"') +
        text(644, 328, "Amount", { size: 20, fill: "#98a2b3" }) +
        text(620, 378, "Enter an amount above 0.", { size: 17, fill: "#b42318" }) +
        text(80, 460, "Badges and toggles", { size: 28, weight: 700 }) +
        [
          ["Paid", "#dcfce7", "#067647"],
          ["Due", "#fef3c7", "#92400e"],
          ["Overdue", "#fee2e2", "#b42318"],
          ["Draft", "#e5e7eb", "#374151"],
        ]
          .map(
            ([label, bg, fg], i) =>
              rect(80 + i * 150, 490, 130, 40, bg!, 20) +
              text(145 + i * 150, 517, label!, { size: 17, fill: fg, anchor: "middle" }),
          )
          .join("") +
        rect(760, 488, 88, 44, "#4338ca", 22) +
        `<circle cx="826" cy="510" r="17" fill="#fff"/>` +
        rect(880, 488, 88, 44, "#d0d5dd", 22) +
        `<circle cx="902" cy="510" r="17" fill="#fff"/>` +
        rect(80, 580, 1120, 80, "#ffffff", 12, 'stroke="#e3e1da"') +
        text(110, 628, "Invoice INV-2041 was paid.", { size: 20 }) +
        text(1170, 628, "Undo", { size: 20, fill: "#4338ca", weight: 700, anchor: "end" }),
    ),
    svg(
      "#1e1b4b",
      text(80, 100, "Design tokens", { size: 30, weight: 700, fill: "#fff" }) +
        ["#4338ca", "#6366f1", "#a5b4fc", "#eef0ff", "#be185d", "#f97316", "#067647", "#b42318"]
          .map(
            (colour, i) =>
              rect(80 + (i % 4) * 285, 140 + Math.floor(i / 4) * 200, 255, 120, colour, 14) +
              text(80 + (i % 4) * 285, 290 + Math.floor(i / 4) * 200, colour, {
                size: 18,
                fill: "#c7d2fe",
                font: MONO,
              }),
          )
          .join("") +
        text(80, 600, "Radius 8 · Spacing 4/8/16/24 · 120 components · Light and dark", {
          size: 22,
          fill: "#e0e7ff",
        }),
    ),
  ],
};

// ---------------------------------------------------------------- Quiet Theme
const quietArticle = (dark: boolean, w: number) => {
  const ink = dark ? "#f1f0f5" : "#1c1b22";
  const soft = dark ? "#3a3946" : "#dcd9d0";
  return (
    rect(0, 0, w, 560, dark ? "#131218" : "#f8f7f4") +
    text(48, 56, "Quiet", { size: 20, weight: 700, fill: ink, font: SERIF }) +
    text(48, 140, "On writing", { size: 48, weight: 700, fill: ink, font: SERIF }) +
    text(48, 196, "less, better.", { size: 48, weight: 700, fill: ink, font: SERIF }) +
    text(48, 240, "12 March · 6 min read", { size: 16, fill: dark ? "#a9a7b6" : "#5d5b68" }) +
    lines(48, 280, [w - 120, w - 160, w - 100, w - 200, w - 140, w - 260], soft, 10, 26) +
    rect(48, 450, 4, 70, "#0891b2") +
    text(70, 480, "“Say it once, then stop.”", { size: 22, fill: ink, font: SERIF })
  );
};

const quiet = {
  cover: svg(
    "#0f766e",
    `<circle cx="1180" cy="660" r="360" fill="#0891b2"/><circle cx="60" cy="40" r="180" fill="#0891b2" opacity="0.5"/>` +
      browser(90, 90, 540, 600, quietArticle(false, 540)) +
      browser(650, 60, 540, 600, quietArticle(true, 540), true),
  ),
  previews: [
    svg(
      "#f8f7f4",
      text(640, 190, "Aa", {
        size: 200,
        font: SERIF,
        weight: 700,
        anchor: "middle",
        fill: "#1c1b22",
      }) +
        text(640, 250, "Serif headings · system sans body · 68-character measure", {
          size: 24,
          anchor: "middle",
          fill: "#5d5b68",
        }) +
        [
          ["H1", 48],
          ["H2", 36],
          ["H3", 28],
          ["Body", 20],
        ]
          .map(
            ([label, size], i) =>
              text(220, 340 + i * 88, String(label), { size: 18, fill: "#0891b2", font: MONO }) +
              text(340, 340 + i * 88, "The quiet brown fox", {
                size: Number(size),
                font: i < 3 ? SERIF : SANS,
                weight: i < 3 ? 700 : 400,
                fill: "#1c1b22",
              }),
          )
          .join(""),
    ),
    svg(
      "#131218",
      [100, 99, 100, 100]
        .map(
          (score, i) =>
            `<circle cx="${250 + i * 260}" cy="300" r="96" fill="none" stroke="#23322f" stroke-width="16"/>` +
            `<circle cx="${250 + i * 260}" cy="300" r="96" fill="none" stroke="#34d399" stroke-width="16" stroke-dasharray="${(6.03 * score).toFixed(0)} 603" transform="rotate(-90 ${250 + i * 260} 300)"/>` +
            text(250 + i * 260, 318, String(score), {
              size: 52,
              weight: 700,
              fill: "#34d399",
              anchor: "middle",
            }) +
            text(
              250 + i * 260,
              460,
              ["Performance", "Accessibility", "Best practices", "SEO"][i]!,
              {
                size: 22,
                fill: "#f1f0f5",
                anchor: "middle",
              },
            ),
        )
        .join("") +
        text(640, 600, "Dark mode follows the reader’s system setting.", {
          size: 24,
          fill: "#a9a7b6",
          anchor: "middle",
        }),
    ),
  ],
};

// ---------------------------------------------------------------- Form Patterns Snippets
const code = (x: number, y: number, rows: Array<Array<[string, string]>>, size = 20) =>
  rows
    .map(
      (row, i) =>
        `<text x="${x}" y="${y + i * (size * 1.6)}" font-family="${MONO}" font-size="${size}" xml:space="preserve">` +
        row.map(([t, c]) => `<tspan fill="${c}">${t}</tspan>`).join("") +
        `</text>`,
    )
    .join("");

const K = "#c084fc";
const S = "#86efac";
const P = "#e5e7eb";
const F = "#7dd3fc";
const C = "#6b7280";

const formsCode = code(40, 60, [
  [["// Field.tsx", C]],
  [
    ["export function ", K],
    ["Field", F],
    ["({ label, error }) {", P],
  ],
  [
    ["  const ", K],
    ["id", P],
    [" = ", P],
    ["useId", F],
    ["();", P],
  ],
  [
    ["  return ", K],
    ["(", P],
  ],
  [
    ["    <", P],
    ["label ", F],
    ["htmlFor", S],
    ["={id}>{label}</", P],
    ["label", F],
    [">", P],
  ],
  [
    ["    <", P],
    ["input ", F],
    ["id", S],
    ["={id} ", P],
    ["aria-invalid", S],
    ["={!!error}", P],
  ],
  [
    ["      ", P],
    ["aria-describedby", S],
    ["={`${id}-error`} />", P],
  ],
  [
    ["    <", P],
    ["p ", F],
    ["id", S],
    ["={`${id}-error`}>{error}</", P],
    ["p", F],
    [">", P],
  ],
  [["  );", P]],
  [["}", P]],
]);

const formsPreview = (x: number, y: number) =>
  `<g transform="translate(${x} ${y})">` +
  rect(0, 0, 440, 460, "#ffffff", 16) +
  text(32, 56, "Create account", { size: 26, weight: 700 }) +
  text(32, 110, "Email", { size: 17, weight: 700 }) +
  rect(32, 122, 376, 50, "#fff", 8, 'stroke="#b42318" stroke-width="2"') +
  text(48, 154, "ada@", { size: 18 }) +
  text(32, 196, "Enter an email like name@example.com.", { size: 15, fill: "#b42318" }) +
  text(32, 244, "Password", { size: 17, weight: 700 }) +
  rect(32, 256, 376, 50, "#fff", 8, 'stroke="#f59e0b" stroke-width="3"') +
  text(48, 288, "••••••••••", { size: 18 }) +
  rect(32, 330, 376, 8, "#e5e7eb", 4) +
  rect(32, 330, 260, 8, "#067647", 4) +
  text(32, 362, "Strong password", { size: 15, fill: "#067647" }) +
  rect(32, 390, 376, 52, "#1f2937", 10) +
  text(220, 423, "Sign up", { size: 19, fill: "#fff", anchor: "middle" }) +
  `</g>`;

const forms = {
  cover: svg(
    "#111827",
    rect(60, 80, 700, 560, "#1f2937", 16) +
      `<g transform="translate(60 110)">${formsCode}</g>` +
      formsPreview(780, 130),
  ),
  previews: [
    svg("#e5e7eb", formsPreview(120, 130) + formsPreview(720, 130)),
    svg(
      "#1f2937",
      text(80, 110, "Accessible by default", { size: 40, weight: 700, fill: "#f9fafb" }) +
        [
          "Labels tied to inputs with useId",
          "Errors announced through aria-describedby",
          "Focus moves to the first invalid field",
          "Works without JavaScript, enhanced with it",
          "Tested with VoiceOver, NVDA and keyboard only",
        ]
          .map(
            (line, i) =>
              `<circle cx="100" cy="${190 + i * 90}" r="22" fill="#067647"/>` +
              `<path d="M90 ${190 + i * 90} l7 8 l14 -16" stroke="#fff" stroke-width="4" fill="none"/>` +
              text(146, 199 + i * 90, line, { size: 26, fill: "#e5e7eb" }),
          )
          .join(""),
    ),
  ],
};

// ---------------------------------------------------------------- Brand Guidelines Handbook
const brandLogo = (x: number, y: number, scale: number, colour: string) =>
  `<g transform="translate(${x} ${y}) scale(${scale})"><circle cx="0" cy="0" r="50" fill="${colour}"/><path d="M-22 20 L0 -26 L22 20 Z" fill="#fff"/></g>`;

const brandSpread = (x: number, y: number) =>
  `<g transform="translate(${x} ${y})">` +
  rect(8, 12, 1000, 560, "rgba(0,0,0,0.2)", 8) +
  rect(0, 0, 500, 560, "#fbfaf6", 8) +
  rect(500, 0, 500, 560, "#ffffff", 8) +
  rect(496, 0, 8, 560, "#e7e5dd") +
  text(50, 70, "02 · Logo", { size: 18, fill: "#15803d", weight: 700 }) +
  brandLogo(250, 250, 1.8, "#15803d") +
  text(250, 420, "Clear space = the height of the A", {
    size: 18,
    fill: "#5d5b68",
    anchor: "middle",
  }) +
  `<rect x="140" y="140" width="220" height="220" fill="none" stroke="#65a30d" stroke-dasharray="8 6"/>` +
  text(550, 70, "03 · Colour", { size: 18, fill: "#15803d", weight: 700 }) +
  [
    ["#15803d", "Fern"],
    ["#65a30d", "Moss"],
    ["#f2c14e", "Pollen"],
    ["#1c1b22", "Ink"],
  ]
    .map(
      ([colour, name], i) =>
        rect(550 + (i % 2) * 210, 100 + Math.floor(i / 2) * 200, 190, 130, colour!, 8) +
        text(550 + (i % 2) * 210, 260 + Math.floor(i / 2) * 200, `${name} ${colour}`, {
          size: 16,
          fill: "#1c1b22",
          font: MONO,
        }),
    )
    .join("") +
  `</g>`;

const brand = {
  cover: svg(
    "#15803d",
    `<circle cx="1180" cy="660" r="360" fill="#65a30d"/><circle cx="60" cy="40" r="180" fill="#65a30d" opacity="0.5"/>` +
      rect(150, 110, 420, 540, "rgba(0,0,0,0.2)", 10) +
      rect(140, 96, 420, 540, "#fbfaf6", 10) +
      rect(140, 96, 28, 540, "#e7e5dd", 4) +
      brandLogo(350, 270, 1.4, "#15803d") +
      text(350, 430, "Brand", { size: 54, weight: 700, font: SERIF, anchor: "middle" }) +
      text(350, 490, "Guidelines", { size: 54, weight: 700, font: SERIF, anchor: "middle" }) +
      text(350, 580, "Voice · Logo · Colour · Type", {
        size: 18,
        fill: "#5d5b68",
        anchor: "middle",
      }) +
      text(660, 260, "The brand book", { size: 44, weight: 700, fill: "#fff" }) +
      text(660, 316, "clients actually read.", { size: 44, weight: 700, fill: "#fff" }) +
      lines(660, 370, [440, 400, 420], "rgba(255,255,255,0.45)", 12, 30),
  ),
  previews: [
    svg("#d9e8d0", brandSpread(140, 80)),
    svg(
      "#fbfaf6",
      text(80, 110, "01 · Voice", { size: 22, fill: "#15803d", weight: 700 }) +
        text(80, 200, "We sound like", { size: 56, weight: 700, font: SERIF }) +
        text(80, 270, "a helpful neighbour.", { size: 56, weight: 700, font: SERIF }) +
        [
          ["Say", "“Your order is on its way.”", "#dcfce7", "#067647"],
          ["Don’t say", "“Shipment dispatched per SLA.”", "#fee2e2", "#b42318"],
        ]
          .map(
            ([label, quote, bg, fg], i) =>
              rect(80 + i * 570, 340, 540, 260, bg!, 14) +
              text(112 + i * 570, 394, label!, { size: 22, weight: 700, fill: fg }) +
              text(112 + i * 570, 470, quote!, { size: 26, font: SERIF, fill: "#1c1b22" }),
          )
          .join(""),
    ),
  ],
};

// ---------------------------------------------------------------- Isometric Icon Set
const cube = (cx: number, cy: number, s: number, top: string, left: string, right: string) =>
  `<path d="M${cx} ${cy - s} L${cx + s * 0.87} ${cy - s / 2} L${cx} ${cy} L${cx - s * 0.87} ${cy - s / 2} Z" fill="${top}"/>` +
  `<path d="M${cx - s * 0.87} ${cy - s / 2} L${cx} ${cy} L${cx} ${cy + s} L${cx - s * 0.87} ${cy + s / 2} Z" fill="${left}"/>` +
  `<path d="M${cx + s * 0.87} ${cy - s / 2} L${cx} ${cy} L${cx} ${cy + s} L${cx + s * 0.87} ${cy + s / 2} Z" fill="${right}"/>`;

const PALETTES: Array<[string, string, string]> = [
  ["#fde68a", "#f59e0b", "#b45309"],
  ["#c7d2fe", "#6366f1", "#4338ca"],
  ["#a7f3d0", "#10b981", "#047857"],
  ["#fecdd3", "#f43f5e", "#be123c"],
  ["#bae6fd", "#0ea5e9", "#0369a1"],
];

const iconGrid = (cols: number, rows: number, x0: number, y0: number, step: number, s: number) => {
  let out = "";
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const [top, left, right] = PALETTES[(r * cols + c) % PALETTES.length]!;
      const cx = x0 + c * step;
      const cy = y0 + r * step;
      out += rect(cx - step / 2 + 8, cy - step / 2 + 8, step - 16, step - 16, "#ffffff", 16);
      out += cube(cx, cy, s, top, left, right);
      if ((r + c) % 3 === 0) out += cube(cx, cy - s * 0.9, s * 0.45, top, left, right);
    }
  }
  return out;
};

const icons = {
  cover: svg(
    "#b45309",
    `<circle cx="1180" cy="660" r="360" fill="#d97706"/><circle cx="60" cy="40" r="180" fill="#d97706" opacity="0.5"/>` +
      iconGrid(6, 3, 240, 170, 160, 44),
  ),
  previews: [
    svg(
      "#fff7ed",
      text(80, 90, "240 icons · 24 and 48 px · SVG", { size: 28, weight: 700, fill: "#7c2d12" }) +
        iconGrid(10, 5, 140, 170, 110, 28),
    ),
    svg(
      "#1c1b22",
      cube(400, 360, 180, ...PALETTES[1]!) +
        cube(400, 180, 80, ...PALETTES[0]!) +
        text(720, 280, "Pixel-tuned", { size: 48, weight: 700, fill: "#fff" }) +
        text(720, 340, "at 24 and 48 px,", { size: 48, weight: 700, fill: "#fff" }) +
        text(720, 420, "one 2 px stroke, five palettes.", { size: 24, fill: "#d6d3e0" }),
    ),
  ],
};

/** Slug → drawings; the slugs are those db/demo-data.ts gives the demo products. */
export const DRAWINGS: Record<string, { cover: string; previews: string[] }> = {
  "northwind-portfolio-template": northwind,
  "ledger-ui-kit": ledger,
  "quiet-theme": quiet,
  "form-patterns-snippets": forms,
  "brand-guidelines-handbook": brand,
  "isometric-icon-set": icons,
};

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  });
  try {
    const page = await browser.newPage({ viewport: { width: W, height: H } });
    for (const [slug, drawing] of Object.entries(DRAWINGS)) {
      const images = [
        [`${slug}-cover`, drawing.cover],
        ...drawing.previews.map((source, i) => [`${slug}-preview-${i + 1}`, source]),
      ] as const;
      for (const [name, source] of images) {
        await writeFile(path.join(DIR, `${name}.svg`), source);
        await page.setContent(`<html><body style="margin:0">${source}</body></html>`, {
          waitUntil: "load",
        });
        await page.screenshot({
          path: path.join(DIR, `${name}.png`),
          clip: { x: 0, y: 0, width: W, height: H },
        });
        console.log(`  ${name}.png`);
      }
    }
  } finally {
    await browser.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main();
}
