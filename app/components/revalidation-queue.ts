/**
 * Revalidations that wait their turn. A `revalidate()` while the router is already loading
 * (another upload's revalidation, a form's navigation) aborts that load; when its response was
 * still streaming, Remix's single-fetch decoder logs the AbortError to the console (the
 * product edit page did, with two uploads finishing close together). So a request made while
 * the router is busy is remembered and sent once the router is idle again, and any number of
 * requests made meanwhile become one revalidation.
 */
export interface RevalidationQueue {
  /** Ask for fresh loader data: now if the router is idle, else when it next is. */
  request(busy: boolean, revalidate: () => void): void;
  /** Call when the router's state changes: sends a waiting request once it is idle. */
  flush(busy: boolean, revalidate: () => void): void;
}

export function createRevalidationQueue(): RevalidationQueue {
  let wanted = false;
  const flush = (busy: boolean, revalidate: () => void) => {
    if (!wanted || busy) return;
    wanted = false;
    revalidate();
  };
  return {
    request(busy, revalidate) {
      wanted = true;
      flush(busy, revalidate);
    },
    flush,
  };
}

/** One queue for the page: every upload widget on it shares the router. */
export const uploadRevalidations = createRevalidationQueue();
