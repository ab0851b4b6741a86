import type { Database } from "#db/client";
import type { AppEnv, WorkerBindings } from "~/lib/env.server";

export interface JobContext {
  db: Database;
  env: AppEnv;
  bindings: WorkerBindings;
  /** The scheduled time of this run; jobs never read the clock themselves. */
  now: Date;
}

/** Counts and facts a job reports; logged as JSON. */
export type JobResult = Record<string, number | string | boolean>;

export interface Job {
  name: string;
  run(context: JobContext): Promise<JobResult>;
}
