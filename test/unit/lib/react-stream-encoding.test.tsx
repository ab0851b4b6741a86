import { Suspense } from "react";
import { renderToReadableStream, renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";

/**
 * React's streaming renderer encodes each flush once (scripts/patch-react-dom-server.mjs,
 * docs/decisions/0014-react-stream-encoding.md): a page arrives in a few large chunks instead of
 * one per 512 bytes, and its markup, multi-byte text included, is exactly what React renders.
 */
function Catalog({ count }: { count: number }) {
  return (
    <ul className="grid">
      {Array.from({ length: count }, (_, index) => (
        <li key={index} data-index={index}>
          <a href={`/products/item-${index}`}>Café Ünïcode kit {index}</a> — €{index}.00 ✓ 🎨
        </li>
      ))}
    </ul>
  );
}

async function readChunks(stream: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return chunks;
    chunks.push(value);
  }
}

const decode = (chunks: Uint8Array[]) => {
  const decoder = new TextDecoder();
  return chunks.map((chunk) => decoder.decode(chunk, { stream: true })).join("") + decoder.decode();
};

describe("React's stream encoding", () => {
  it("sends a page rendered in one pass in large chunks, with the markup renderToString gives", async () => {
    const stream = await renderToReadableStream(<Catalog count={400} />);
    await stream.allReady;
    const chunks = await readChunks(stream);
    const html = decode(chunks);
    expect(html.length).toBeGreaterThan(30_000);
    // One enqueue; workerd hands a byte stream's reader at most 4 KiB at a time. Unpatched, every
    // 512-byte view was its own chunk: ~100 of them here.
    const bytes = chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
    expect(chunks.length).toBeLessThanOrEqual(Math.ceil(bytes / 4096));
    expect(html).toBe(renderToString(<Catalog count={400} />));
    expect(html).toContain("Café Ünïcode kit <!-- -->399</a> — €<!-- -->399<!-- -->.00 ✓ 🎨");
  });

  it("streams a suspended part as its own flush, after the shell", async () => {
    let resolve: () => void = () => {};
    const ready = new Promise<void>((settle) => (resolve = settle));
    let done = false;
    function Later() {
      if (!done) {
        throw ready.then(() => {
          done = true;
        });
      }
      return <p>Bientôt là — 準備完了</p>;
    }
    const stream = await renderToReadableStream(
      <main>
        <h1>Shell</h1>
        <Suspense fallback={<p>Loading…</p>}>
          <Later />
        </Suspense>
      </main>,
    );
    const reader = stream.getReader();
    const shell = await reader.read();
    const shellHtml = new TextDecoder().decode(shell.value);
    expect(shellHtml).toContain("<h1>Shell</h1>");
    expect(shellHtml).toContain("Loading…");
    resolve();
    const rest: Uint8Array[] = [];
    for (;;) {
      const { done: end, value } = await reader.read();
      if (end) break;
      rest.push(value);
    }
    expect(rest).toHaveLength(1);
    expect(decode(rest)).toContain("<p>Bientôt là — 準備完了</p>");
  });
});
