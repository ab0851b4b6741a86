/**
 * The benchmark's yardstick: the smallest Worker that answers with a fixed HTML page, run
 * by the same `wrangler dev`/workerd as the app. Route numbers are reported relative to it.
 *
 * `/r2/<key>` streams an R2 object as is (no auth, no D1), or the one byte range a `Range`
 * header asks for (206): the download benchmark compares the signed download route against it.
 */
const BODY = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>Baseline</title></head>
  <body><h1>Baseline</h1><p>A fixed response from a bare Worker.</p></body>
</html>
`;

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname.startsWith("/r2/")) {
      const ranged = request.headers.has("Range");
      const object = await env.FILES.get(decodeURIComponent(url.pathname.slice(4)), {
        ...(ranged ? { range: request.headers } : {}),
      });
      if (!object) return new Response("Not found", { status: 404 });
      const offset = object.range?.offset ?? 0;
      const length = object.range?.length ?? object.size;
      return new Response(object.body, {
        status: ranged ? 206 : 200,
        headers: {
          "Content-Type": "application/octet-stream",
          "Content-Length": String(length),
          "Cache-Control": "no-store",
          ...(ranged
            ? { "Content-Range": `bytes ${offset}-${offset + length - 1}/${object.size}` }
            : {}),
        },
      });
    }
    return new Response(BODY, {
      headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" },
    });
  },
};
