import { GeneralErrorBoundary } from "~/components/error-boundary";

/** Any URL no other route matches: a real 404 status with the friendly page. */
export function loader() {
  throw new Response("Not found", { status: 404 });
}

export default function NotFound() {
  return null;
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
