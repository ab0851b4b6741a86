import type { LoaderFunctionArgs } from "@remix-run/cloudflare";
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
  const common = { "Cache-Control": IMAGE_CACHE, "X-Content-Type-Options": "nosniff" };
  switch (image.status) {
    case "not-found":
      return new Response("Not found", {
        status: 404,
        headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
      });
    case "not-modified":
      return new Response(null, { status: 304, headers: { ...common, ETag: image.etag } });
    case "found":
      return new Response(image.body, {
        headers: {
          ...common,
          "Content-Type": image.contentType,
          "Content-Length": String(image.size),
          ETag: image.etag,
        },
      });
  }
}
