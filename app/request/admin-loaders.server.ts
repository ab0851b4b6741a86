import type { LoaderFunctionArgs } from "@remix-run/cloudflare";
import type { Database } from "#db/client";
import { ADMIN_ROUTE_POLICY, type AdminRouteId } from "~/domain/auth/route-policy";
import { invariantResponse, requireIdParam } from "~/lib/http";
import { requirePermission, type CurrentUser } from "./auth.server";

/**
 * The two loaders of the admin area. Each checks the route's own capability from
 * ADMIN_ROUTE_POLICY (a loader called alone, by client-side navigation, must guard itself).
 */

/**
 * An admin list: the filters from the query string, then one page of results. The filters go
 * back to the page so the search form shows what was searched.
 */
export async function adminListLoader<Search extends object, Page extends object>(
  { request, context }: LoaderFunctionArgs,
  routeId: AdminRouteId,
  parse: (params: URLSearchParams) => Search,
  list: (db: Database, search: Search) => Promise<Page>,
): Promise<Page & { search: Search }> {
  await requirePermission(request, context, ADMIN_ROUTE_POLICY[routeId].loader);
  const search = parse(new URL(request.url).searchParams);
  return { ...(await list(context.db, search)), search };
}

/**
 * An admin detail page's record: the id from `params[param]`, loaded for `staff` (what they
 * may see can depend on their role), or a 404 with `notFound` when there is no such record.
 */
export async function adminRecord<T>(
  { request, context, params }: LoaderFunctionArgs,
  spec: {
    routeId: AdminRouteId;
    param: string;
    notFound: string;
    load: (db: Database, id: string, staff: CurrentUser) => Promise<T | null | undefined>;
  },
): Promise<{ staff: CurrentUser; id: string; record: T }> {
  const staff = await requirePermission(request, context, ADMIN_ROUTE_POLICY[spec.routeId].loader);
  const id = requireIdParam(params, spec.param, spec.notFound);
  const record = await spec.load(context.db, id, staff);
  invariantResponse(record, spec.notFound, { status: 404 });
  return { staff, id, record };
}
