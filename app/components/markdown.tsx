import { renderMarkdown } from "~/domain/content/markdown";

/**
 * Seller-written Markdown. `renderMarkdown` escapes raw HTML and drops unsafe URLs, which is
 * what makes `dangerouslySetInnerHTML` acceptable here (and only here).
 */
export function Markdown({ text }: { text: string }) {
  return <div className="prose" dangerouslySetInnerHTML={{ __html: renderMarkdown(text) }} />;
}
