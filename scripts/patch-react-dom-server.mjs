/**
 * One UTF-8 encode per flush in React's streaming renderer (docs/decisions/0014-react-stream-encoding.md).
 *
 * Run by `npm install` (the `postinstall` script), after patch-remix-server-runtime.mjs.
 * React 18.3's `renderToReadableStream` (react-dom/server.browser, the build Workers use)
 * turns every piece of markup into bytes as it writes it: `stringToChunk` calls
 * `TextEncoder.encode` for each text node, attribute value and tag fragment, and `writeChunk`
 * copies the bytes into 512-byte views, enqueueing a new `Uint8Array` every 512 bytes. A catalog
 * page is thousands of tiny ArrayBuffers per render: in a `perf` profile of workerd that was the
 * encoder, ArrayBuffer allocation, tcmalloc and the ArrayBuffer sweeper of the GC.
 *
 * This keeps the chunks as strings and concatenates them (V8 builds a rope, no copying), then
 * encodes the whole flush once in `completeWriting`: one `Uint8Array` per flush. The markup is
 * the same; only the byte chunking of the stream changes. These files only run on the server
 * (the browser hydrates with react-dom/client).
 *
 * Idempotent. Fails loudly when the installed react-dom is not the version this was written for
 * or the text it replaces is not found: after a React upgrade, read the new stream config (React
 * 19 encodes strings with `encodeInto` into larger views) and rewrite or drop this patch.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

export const REACT_PATCH_MARKER = "storefront-studio patch: one encode per flush v1";
const EXPECTED_VERSION = "18.3.1";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const reactDomDir = path.join(root, "node_modules", "react-dom");

/** The streaming renderer, as the Worker's production build and the tests load it. */
export const REACT_SERVER_FILES = [
  "cjs/react-dom-server.browser.production.min.js",
  "cjs/react-dom-server.browser.development.js",
].map((file) => path.join(reactDomDir, file));

// Production (minified): the stream config's functions, as one run of text.
const MIN_CONFIG_BEFORE =
  "var l=null,n=0;\nfunction p(a,b){if(0!==b.length)if(512<b.length)0<n&&(a.enqueue(new Uint8Array(l.buffer,0,n)),l=new Uint8Array(512),n=0),a.enqueue(b);else{var c=l.length-n;c<b.length&&(0===c?a.enqueue(l):(l.set(b.subarray(0,c),n),a.enqueue(l),b=b.subarray(c)),l=new Uint8Array(512),n=0);l.set(b,n);n+=b.length}}function t(a,b){p(a,b);return!0}function ba(a){l&&0<n&&(a.enqueue(new Uint8Array(l.buffer,0,n)),l=null,n=0)}var ca=new TextEncoder;function u(a){return ca.encode(a)}function w(a){return ca.encode(a)}";
const MIN_CONFIG_AFTER = `/* ${REACT_PATCH_MARKER} (scripts/patch-react-dom-server.mjs) */var l="",n=0;
function p(a,b){l+=b}function t(a,b){l+=b;return!0}function ba(a){0<l.length&&(a.enqueue(ca.encode(l)),l="")}var ca=new TextEncoder;function u(a){return a}function w(a){return a}`;
// beginWriting, inlined twice by the minifier.
const MIN_BEGIN_BEFORE = "l=new Uint8Array(512);n=0";
const MIN_BEGIN_AFTER = 'l="";n=0';

// Development: from the view size to the function after the encoder.
const DEV_CONFIG =
  /var VIEW_SIZE = 512;\n[\s\S]*?\nfunction stringToPrecomputedChunk\(content\) \{\n {2}return textEncoder\.encode\(content\);\n\}\n/;
const DEV_CONFIG_AFTER = `// ${REACT_PATCH_MARKER} (scripts/patch-react-dom-server.mjs): chunks are strings,
// concatenated until the flush ends and encoded once there.
var pendingMarkup = '';
function beginWriting(destination) {
  pendingMarkup = '';
}
function writeChunk(destination, chunk) {
  pendingMarkup += chunk;
}
function writeChunkAndReturn(destination, chunk) {
  pendingMarkup += chunk; // in web streams there is no backpressure so we can always write more

  return true;
}
function completeWriting(destination) {
  if (pendingMarkup.length > 0) {
    destination.enqueue(textEncoder.encode(pendingMarkup));
    pendingMarkup = '';
  }
}
function close(destination) {
  destination.close();
}
var textEncoder = new TextEncoder();
function stringToChunk(content) {
  return content;
}
function stringToPrecomputedChunk(content) {
  return content;
}
`;

function fail(file, what) {
  throw new Error(
    `patch-react-dom-server: ${what} in ${file}; the installed react-dom is not the one this ` +
      "patch was written for (docs/decisions/0014-react-stream-encoding.md).",
  );
}

function replaceExactly(source, before, after, times, file) {
  const parts = source.split(before);
  if (parts.length - 1 !== times)
    fail(file, `expected ${times} × ${JSON.stringify(before.slice(0, 40))}`);
  return parts.join(after);
}

export function patchMinifiedSource(source, file) {
  if (source.includes(REACT_PATCH_MARKER)) return source;
  const patched = replaceExactly(source, MIN_CONFIG_BEFORE, MIN_CONFIG_AFTER, 1, file);
  return replaceExactly(patched, MIN_BEGIN_BEFORE, MIN_BEGIN_AFTER, 2, file);
}

export function patchDevelopmentSource(source, file) {
  if (source.includes(REACT_PATCH_MARKER)) return source;
  const config = DEV_CONFIG.exec(source);
  if (!config || !config[0].includes("function completeWriting(destination) {")) {
    fail(file, "expected the stream config (VIEW_SIZE … stringToPrecomputedChunk)");
  }
  return source.replace(config[0], DEV_CONFIG_AFTER);
}

export function applyReactPatch() {
  const version = JSON.parse(readFileSync(path.join(reactDomDir, "package.json"), "utf8")).version;
  if (version !== EXPECTED_VERSION) {
    throw new Error(
      `patch-react-dom-server: react-dom is ${version}, the patch is for ${EXPECTED_VERSION}. ` +
        "Check whether the new stream config still encodes every chunk, then update or drop the " +
        "patch (docs/decisions/0014-react-stream-encoding.md).",
    );
  }
  const changed = [];
  const [minified, development] = REACT_SERVER_FILES;
  for (const [file, patch] of [
    [minified, patchMinifiedSource],
    [development, patchDevelopmentSource],
  ]) {
    const source = readFileSync(file, "utf8");
    const patched = patch(source, file);
    if (patched !== source) {
      writeFileSync(file, patched);
      changed.push(path.relative(root, file));
    }
  }
  return changed;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const changed = applyReactPatch();
  process.stdout.write(
    changed.length > 0
      ? `patch-react-dom-server: patched ${changed.join(", ")}\n`
      : "patch-react-dom-server: already patched\n",
  );
}
