import type { Toast as ToastData } from "~/lib/toast.server";

/** The message a redirect left behind; a live region so screen readers announce it. */
export function Toast({ toast }: { toast: ToastData | null }) {
  if (!toast) return null;
  return (
    <div
      className={`toast toast--${toast.kind}`}
      role={toast.kind === "error" ? "alert" : "status"}
    >
      <div className="container">{toast.message}</div>
    </div>
  );
}
