import { describe, expect, it, vi } from "vitest";
import { createRevalidationQueue } from "~/components/revalidation-queue";

/**
 * Issue 16: a console AbortError while uploads revalidated the product edit page. Each upload
 * called revalidate() as it finished; a second call while the first revalidation was loading
 * aborted it mid-stream, and Remix's single-fetch decoder logged the AbortError. The widgets
 * now ask a shared queue, which never revalidates while the router is busy.
 */
describe("upload revalidations", () => {
  it("revalidates at once when the router is idle", () => {
    const queue = createRevalidationQueue();
    const revalidate = vi.fn();
    queue.request(false, revalidate);
    expect(revalidate).toHaveBeenCalledTimes(1);
  });

  it("never interrupts a load: a request while busy waits for idle, then goes out once", () => {
    const queue = createRevalidationQueue();
    const revalidate = vi.fn();
    queue.request(false, revalidate); // the first upload: loading now
    queue.request(true, revalidate); // the second finishes while it loads
    queue.request(true, revalidate); // and a third
    queue.flush(true, revalidate); // still loading
    expect(revalidate).toHaveBeenCalledTimes(1);
    // Idle again: every widget's effect flushes; one revalidation covers all the uploads.
    queue.flush(false, revalidate);
    queue.flush(false, revalidate);
    queue.flush(false, revalidate);
    expect(revalidate).toHaveBeenCalledTimes(2);
  });

  it("does nothing on idle when nobody asked", () => {
    const queue = createRevalidationQueue();
    const revalidate = vi.fn();
    queue.flush(false, revalidate);
    expect(revalidate).not.toHaveBeenCalled();
  });
});
