/** Throw a Response when a guard fails (house style: `invariantResponse`). */
export function invariantResponse(
  condition: unknown,
  message: string,
  init: ResponseInit = { status: 400 },
): asserts condition {
  if (!condition) {
    throw new Response(message, {
      ...init,
      headers: { "Content-Type": "text/plain; charset=utf-8", ...init.headers },
    });
  }
}

/**
 * Public pages can be cached at the edge for anonymous visitors. A short browser max-age
 * keeps prices fresh; the edge serves stale copies while it revalidates.
 */
export const PUBLIC_PAGE_CACHE = "public, max-age=60, s-maxage=300, stale-while-revalidate=600";

/**
 * A record id from the URL (`params[name]`), or a 404 with `notFound`. Ids are cuid2 strings,
 * so anything else can't name a record and never reaches the database.
 */
export function requireIdParam(
  params: Readonly<Record<string, string | undefined>>,
  name: string,
  notFound: string,
): string {
  const id = params[name] ?? "";
  invariantResponse(/^[a-z0-9]{1,64}$/.test(id), notFound, { status: 404 });
  return id;
}

/**
 * A route's `headers` for forms that can be throttled: Remix passes an action's headers to
 * the page only through `headers`, so a throttled try's Retry-After is copied here.
 */
export function retryAfterHeaders({
  actionHeaders,
  parentHeaders,
}: {
  actionHeaders: Headers;
  parentHeaders: Headers;
}): Headers {
  const merged = new Headers(parentHeaders);
  const retryAfter = actionHeaders.get("Retry-After");
  if (retryAfter) merged.set("Retry-After", retryAfter);
  return merged;
}
