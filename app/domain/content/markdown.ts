/**
 * Seller-written Markdown (descriptions, documentation, changelogs) rendered to HTML that is
 * safe to inject: raw HTML is shown as text, links and images keep only harmless URLs.
 *
 * Safety does not rest on marked's defaults. marked passes raw HTML through and copies link
 * destinations as written (`&#106;avascript:` reaches the browser, which decodes it), so the
 * three renderers that can emit attributes or markup (`html`, `link`, `image`) are replaced.
 * Every other token is text that marked escapes itself.
 */
import { Marked, type Tokens } from "marked";

const ALLOWED_LINK_SCHEMES = new Set(["http:", "https:", "mailto:"]);
const ALLOWED_IMAGE_SCHEMES = new Set(["https:"]);

const NAMED_ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  colon: ":",
  tab: "\t",
  newline: "\n",
  sol: "/",
  lpar: "(",
  rpar: ")",
  nbsp: "\u00a0",
};

export function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/** Decode character references the way a browser would before it reads an attribute. */
function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);?/gi, (match, body: string) => {
    if (body.startsWith("#")) {
      const code =
        body[1] === "x" || body[1] === "X"
          ? Number.parseInt(body.slice(2), 16)
          : Number.parseInt(body.slice(1), 10);
      return Number.isInteger(code) && code > 0 && code <= 0x10ffff
        ? String.fromCodePoint(code)
        : "\ufffd";
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? match;
  });
}

/**
 * The URL to put in an attribute, or null when it must not be linked. The check runs on the
 * URL as a browser sees it (entities decoded, whitespace and control characters removed,
 * case folded), and the returned URL is the decoded one, so what was checked is what is used.
 */
export function safeUrl(raw: string, allowedSchemes: ReadonlySet<string>): string | null {
  const decoded = decodeEntities(raw).trim();
  if (!decoded) return null;
  // Browsers drop tabs and newlines anywhere in a URL and ignore leading control characters.
  // eslint-disable-next-line no-control-regex
  const normalized = decoded.replace(/[\u0000-\u0020\u007f-\u009f]/g, "").toLowerCase();
  const scheme = /^([^/?#]*?):/.exec(normalized)?.[1];
  if (scheme === undefined) return decoded; // relative: path, query or fragment
  return ALLOWED_URL_SCHEME.test(scheme) && allowedSchemes.has(`${scheme}:`) ? decoded : null;
}
const ALLOWED_URL_SCHEME = /^[a-z][a-z0-9+.-]*$/;

/** Absolute (`https://…`) and protocol-relative (`//host/…`) URLs point away from this site. */
function isOtherOrigin(url: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(url) || /^[/\\]{2}/.test(url);
}

const markdown = new Marked({
  gfm: true,
  breaks: false,
  async: false,
  renderer: {
    html({ text }: Tokens.HTML | Tokens.Tag) {
      return escapeHtml(text);
    },
    heading({ tokens, depth }: Tokens.Heading) {
      // The page owns h1 and h2; the seller's headings start one level under its sections.
      const level = Math.min(6, depth + 2);
      return `<h${level}>${this.parser.parseInline(tokens)}</h${level}>\n`;
    },
    link({ href, title, tokens }: Tokens.Link) {
      const text = this.parser.parseInline(tokens);
      const url = safeUrl(href, ALLOWED_LINK_SCHEMES);
      if (url === null) return text;
      const titleAttribute = title ? ` title="${escapeHtml(title)}"` : "";
      return `<a href="${escapeHtml(url)}"${titleAttribute} rel="nofollow noopener noreferrer">${text}</a>`;
    },
    image({ href, title, text }: Tokens.Image) {
      const url = safeUrl(href, ALLOWED_IMAGE_SCHEMES);
      if (url === null) return escapeHtml(text);
      const titleAttribute = title ? ` title="${escapeHtml(title)}"` : "";
      // The CSP allows images from this site only (no third-party requests from a product
      // page), so an image hosted elsewhere becomes a link to it instead of a broken picture.
      if (isOtherOrigin(url)) {
        return `<a href="${escapeHtml(url)}"${titleAttribute} rel="nofollow noopener noreferrer">${escapeHtml(text || url)}</a>`;
      }
      return `<img src="${escapeHtml(url)}" alt="${escapeHtml(text)}"${titleAttribute} loading="lazy">`;
    },
  },
});

/** Markdown to HTML that can be placed in the page as is. Raw HTML in the source is text. */
export function renderMarkdown(text: string): string {
  return markdown.parse(text, { async: false });
}
