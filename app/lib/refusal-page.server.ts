import baseStyles from "~/styles/base.css?url";
import componentStyles from "~/styles/components.css?url";
import layoutStyles from "~/styles/layout.css?url";
import tokenStyles from "~/styles/tokens.css?url";

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (char) =>
      ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[char] ?? char,
  );

/**
 * A small, styled HTML page for a refused file download. The download route is a resource
 * route (it must hand R2's stream to the Response untouched, which a page route can't), so
 * its refusals are rendered here instead of through the React tree: same stylesheets, no
 * script, the status code the refusal deserves.
 */
export function refusalPage(input: {
  status: number;
  title: string;
  message: string;
  link: { href: string; label: string };
  requestId: string;
}): Response {
  const styles = [tokenStyles, baseStyles, layoutStyles, componentStyles]
    .map((href) => `<link rel="stylesheet" href="${escapeHtml(href)}">`)
    .join("");
  const html = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(input.title)} — Studio Store</title>${styles}</head><body><main class="container section"><header class="page-header"><h1>${escapeHtml(input.title)}</h1></header><p class="notice" role="alert" data-testid="download-refusal">${escapeHtml(input.message)}</p><p><a href="${escapeHtml(input.link.href)}">${escapeHtml(input.link.label)}</a></p></main></body></html>`;
  return new Response(html, {
    status: input.status,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "private, no-store",
      "X-Request-Id": input.requestId,
    },
  });
}
