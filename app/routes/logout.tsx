import type { ActionFunctionArgs } from "@remix-run/cloudflare";
import { redirect } from "@remix-run/cloudflare";
import { auditRequestInfo, clearSessionCookie, getCurrentUser } from "~/request/auth.server";
import { logout } from "~/services/auth/logout.server";

/** Log-out is a POST (no state change on GET); it deletes the session row, not just the cookie. */
export async function action({ request, context }: ActionFunctionArgs) {
  const user = await getCurrentUser(request, context);
  if (user) {
    await logout(
      { db: context.db },
      { user, request: await auditRequestInfo(request, context), now: new Date() },
    );
  }
  return redirect("/", { headers: { "Set-Cookie": await clearSessionCookie(context) } });
}

export function loader() {
  return redirect("/");
}
