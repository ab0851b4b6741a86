import type { LoaderFunctionArgs } from "@remix-run/cloudflare";
import { refusalResponse } from "~/request/refusals.server";
import { getPublicImage } from "~/services/public-media.server";

/**
 * Public product images. Keys are never overwritten: an upload gets a new key
 * (`previews/<productId>/<id>.<ext>`) and the product row points at it, so a URL's content
 * never changes and browsers and the edge may keep it for a day without revalidating.
 */
const IMAGE_CACHE = "public, max-age=86400, immutable";

export async function loader({ params, request, context }: LoaderFunctionArgs) {
  const image = await getPublicImage(
    context.cloudflare.env.FILES,
    params["*"] ?? "",
    request.headers.get("If-None-Match"),
  );
  if (!image.ok) return refusalResponse(image, { headers: { "Cache-Control": "no-store" } });
  const headers = {
    "Cache-Control": IMAGE_CACHE,
    "X-Content-Type-Options": "nosniff",
    ETag: image.etag,
  };
  if (image.unchanged) return new Response(null, { status: 304, headers });
  return new Response(image.body, {
    headers: {
      ...headers,
      "Content-Type": image.contentType,
      "Content-Length": String(image.size),
    },
  });
}
