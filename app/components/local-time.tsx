import { useSyncExternalStore } from "react";
import { formatDate, formatDateTime, isoDateTime, viewerTimeZone } from "~/lib/format";

const noSubscription = () => () => {};

/**
 * The viewer's time zone once the page is hydrated; null on the server and during hydration,
 * so the first browser render prints exactly the server's UTC text (no hydration mismatch) and
 * React then re-renders with the viewer's zone.
 */
export function useViewerTimeZone(): string | null {
  return useSyncExternalStore(noSubscription, viewerTimeZone, () => null);
}

/**
 * A moment as a `<time>`: UTC in the server's HTML, the viewer's own time zone after hydration,
 * and the UTC time on hover (`title`). `dateOnly` prints the day alone.
 */
export function LocalTime({
  value,
  empty = "—",
  dateOnly = false,
}: {
  value: Date | string | number | null | undefined;
  /** Shown when there is no date ("never", "Not recorded"). */
  empty?: string;
  dateOnly?: boolean;
}) {
  const zone = useViewerTimeZone();
  const iso = isoDateTime(value);
  if (!iso) return <>{empty}</>;
  const format = dateOnly ? formatDate : formatDateTime;
  return (
    <time dateTime={iso} title={formatDateTime(value)}>
      {format(value, empty, zone ?? "UTC")}
    </time>
  );
}
