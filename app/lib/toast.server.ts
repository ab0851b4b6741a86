import {
  createCookie,
  redirect,
  type AppLoadContext,
  type TypedResponse,
} from "@remix-run/cloudflare";
import { z } from "~/lib/zod";

/**
 * One-time messages after a redirect (house style: `redirectWithToast`). The message rides
 * in a signed flash cookie and is shown once by the root layout.
 */
const ToastSchema = z.object({
  kind: z.enum(["success", "error", "info"]).default("success"),
  message: z.string().max(300),
});
export type Toast = z.infer<typeof ToastSchema>;

function toastCookie(context: AppLoadContext) {
  const secure = context.env.environment === "production" || context.env.environment === "staging";
  return createCookie(secure ? "__Host-toast" : "toast", {
    httpOnly: true,
    secure,
    sameSite: "lax",
    path: "/",
    maxAge: 60,
    secrets: [context.env.sessionSecret],
  });
}

export async function redirectWithToast(
  context: AppLoadContext,
  to: string,
  toast: z.input<typeof ToastSchema>,
  init: { headers?: HeadersInit } = {},
): Promise<TypedResponse<never>> {
  const headers = new Headers(init.headers);
  headers.append("Set-Cookie", await toastCookie(context).serialize(ToastSchema.parse(toast)));
  return redirect(to, { headers });
}

/** Read and clear the toast: returns it with the Set-Cookie header that removes it. */
export async function consumeToast(request: Request, context: AppLoadContext) {
  // Most page requests carry no cookie at all: no toast to read, no key to import.
  if (!request.headers.get("Cookie")) return { toast: null, headers: null };
  const cookie = toastCookie(context);
  let value: unknown = null;
  try {
    value = await cookie.parse(request.headers.get("Cookie"));
  } catch {
    // An undecodable cookie is no toast, not an error page.
  }
  const parsed = ToastSchema.safeParse(value);
  if (!parsed.success) return { toast: null, headers: null };
  return {
    toast: parsed.data,
    headers: { "Set-Cookie": await cookie.serialize("", { maxAge: 0 }) },
  };
}
