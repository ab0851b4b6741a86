import { sweepOrphanedMedia } from "~/services/media-sweep.server";
import type { Job } from "./types";

/**
 * Product objects left in R2 by an upload that died half-way (no row points at them and
 * they are over a day old); idempotent: a second run finds nothing.
 */
export const sweepOrphanedMediaJob: Job = {
  name: "sweep-orphaned-media",
  async run({ db, bindings, now }) {
    const { listed, ignored, recent, referenced, deleted } = await sweepOrphanedMedia(
      { db, files: bindings.FILES },
      { now },
    );
    return { listed, ignored, recent, referenced, deleted };
  },
};
