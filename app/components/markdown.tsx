/**
 * Seller-written Markdown, as HTML a loader made with `renderMarkdown` (~/domain/content/markdown)
 * on the server: it escapes raw HTML and drops unsafe URLs, which is what makes
 * `dangerouslySetInnerHTML` acceptable here (and only here). The parser stays out of the
 * browser bundle (issue 17: marked cost the product page 15 KB gzip).
 */
export function Markdown({ html }: { html: string }) {
  return <div className="prose" dangerouslySetInnerHTML={{ __html: html }} />;
}
