/**
 * The benchmark's yardstick: the smallest Worker that answers with a fixed HTML page, run
 * by the same `wrangler dev`/workerd as the app. Route numbers are reported relative to it.
 */
const BODY = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>Baseline</title></head>
  <body><h1>Baseline</h1><p>A fixed response from a bare Worker.</p></body>
</html>
`;

export default {
  fetch() {
    return new Response(BODY, {
      headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" },
    });
  },
};
