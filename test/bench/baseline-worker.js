/**
 * The benchmark's yardstick: the smallest Worker that answers with a fixed HTML page, run
 * by the same `wrangler dev`/workerd as the app. Route numbers are reported relative to it.
 *
 * `/r2/<key>` streams an R2 object as is (no auth, no D1): the download benchmark compares
 * the signed download route against it.
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
      const object = await env.FILES.get(decodeURIComponent(url.pathname.slice(4)));
      if (!object) return new Response("Not found", { status: 404 });
      return new Response(object.body, {
        headers: {
          "Content-Type": "application/octet-stream",
          "Content-Length": String(object.size),
          "Cache-Control": "no-store",
        },
      });
    }
    return new Response(BODY, {
      headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" },
    });
  },
};
