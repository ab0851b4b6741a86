import { describe, expect, it } from "vitest";
import { renderMarkdown } from "~/domain/content/markdown";

/** No element that runs script, no event handler attribute, no dangerous URL. */
function expectInert(html: string) {
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/<(?:img|svg|iframe|object|embed|style|a)\b[^>]*\son\w+=/i);
  expect(html).not.toMatch(/<[a-z][^>]*\son\w+\s*=/i);
  expect(html).not.toMatch(/(?:href|src)="\s*(?:javascript|vbscript|data):/i);
  expect(html).not.toMatch(/(?:href|src)="[^"]*&#/i);
}

describe("renderMarkdown: hostile input", () => {
  it("shows a <script> block as text", () => {
    const html = renderMarkdown("Hello\n\n<script>alert(1)</script>\n");
    expectInert(html);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("shows inline HTML with event handlers as text", () => {
    const html = renderMarkdown('Look <img src=x onerror="alert(1)"> here <b onclick=x>bold</b>');
    expectInert(html);
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
  });

  it("keeps the text of javascript: links and drops the link", () => {
    const html = renderMarkdown("[click me](javascript:alert(1))");
    expectInert(html);
    expect(html).toContain("click me");
    expect(html).not.toContain("<a");
  });

  it.each([
    ["mixed case", "[x](JaVaScRiPt:alert(1))"],
    ["a tab inside the scheme", "[x](<java\tscript:alert(1)>)"],
    ["a newline entity", "[x](java&NewLine;script:alert(1))"],
    ["a decimal entity", "[x](&#106;avascript:alert(1))"],
    ["a hex entity", "[x](&#x6A;avascript&#x3A;alert(1))"],
    ["an entity colon", "[x](javascript&colon;alert(1))"],
    ["a leading control character", "[x](<\u0001javascript:alert(1)>)"],
    ["leading spaces in an autolink-like destination", "[x](<  javascript:alert(1)>)"],
    ["vbscript", "[x](vbscript:msgbox(1))"],
    ["a data: URL", "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"],
    ["an autolink", "<javascript:alert(1)>"],
    ["a reference definition", "[x][evil]\n\n[evil]: javascript:alert(1)"],
  ])("renders a javascript-style link with %s inert", (_name, source) => {
    const html = renderMarkdown(source);
    expectInert(html);
    expect(html).not.toContain("<a ");
  });

  it("drops images from data: and javascript: URLs, keeping the alt text", () => {
    const html = renderMarkdown(
      "![pixel](data:image/svg+xml;base64,PHN2Zz4=) ![x](javascript:alert(1))",
    );
    expectInert(html);
    expect(html).not.toContain("<img");
    expect(html).toContain("pixel");
  });

  it("drops images served over plain http", () => {
    expect(renderMarkdown("![a](http://tracker.example/a.png)")).not.toContain("<img");
  });

  it("cannot break out of an attribute with quotes", () => {
    const html = renderMarkdown('[x](https://a.example/"onmouseover="alert(1) "t\\"itle")');
    expectInert(html);
    expect(html).not.toMatch(/"\s*onmouseover=/);
  });
});

describe("renderMarkdown: ordinary Markdown", () => {
  it("renders headings one level under the page's sections", () => {
    expect(renderMarkdown("# Install\n\n## Options")).toBe("<h3>Install</h3>\n<h4>Options</h4>\n");
  });

  it("renders lists, emphasis and code", () => {
    const html = renderMarkdown(
      "- one\n- **two**\n\n1. first\n\nSome *emphasis* and `a < b`.\n\n```ts\nconst x = 1 < 2;\n```",
    );
    expect(html).toContain("<ul>\n<li>one</li>\n<li><strong>two</strong></li>\n</ul>");
    expect(html).toContain("<ol>\n<li>first</li>\n</ol>");
    expect(html).toContain("<em>emphasis</em>");
    expect(html).toContain("<code>a &lt; b</code>");
    expect(html).toContain('<pre><code class="language-ts">const x = 1 &lt; 2;\n</code></pre>');
  });

  it("keeps safe links, with rel attributes", () => {
    const html = renderMarkdown(
      '[docs](https://docs.example/start "Start here") [mail](mailto:help@example.com) [faq](/faq#refunds) [plain](http://a.example)',
    );
    expect(html).toContain(
      '<a href="https://docs.example/start" title="Start here" rel="nofollow noopener noreferrer">docs</a>',
    );
    expect(html).toContain(
      '<a href="mailto:help@example.com" rel="nofollow noopener noreferrer">mail</a>',
    );
    expect(html).toContain('<a href="/faq#refunds" rel="nofollow noopener noreferrer">faq</a>');
    expect(html).toContain('href="http://a.example"');
  });

  it("keeps images from this site and turns images hosted elsewhere into links (CSP img-src 'self')", () => {
    const html = renderMarkdown(
      "![shot](https://cdn.example/a.png) ![local](/media/previews/p/a.png) ![rel](//cdn.example/b.png)",
    );
    expect(html).toContain('<img src="/media/previews/p/a.png" alt="local" loading="lazy">');
    expect(html).toContain(
      '<a href="https://cdn.example/a.png" rel="nofollow noopener noreferrer">shot</a>',
    );
    expect(html).toContain(
      '<a href="//cdn.example/b.png" rel="nofollow noopener noreferrer">rel</a>',
    );
    expect(html.match(/<img/g)).toHaveLength(1);
  });

  it("escapes entities in link URLs so the browser reads what was checked", () => {
    const html = renderMarkdown("[q](https://a.example/?a=1&amp;b=2)");
    expect(html).toContain('href="https://a.example/?a=1&amp;b=2"');
  });
});
