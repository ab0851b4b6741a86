/** The part of autocannon's programmatic API the benchmark uses (the package ships no types). */
declare module "autocannon" {
  interface Options {
    url: string;
    connections?: number;
    /** Seconds. */
    duration?: number;
    pipelining?: number;
    /** Seconds before a request counts as timed out. */
    timeout?: number;
    headers?: Record<string, string>;
    /** Stop after this many requests in all (or at `duration`, whichever comes first). */
    maxOverallRequests?: number;
    /** A sequence each connection sends in turn, round and round. */
    requests?: RequestSpec[];
  }

  /** The raw request autocannon is about to send; `setupRequest` returns the one to send. */
  interface RawRequest {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
  }

  interface RequestSpec extends RawRequest {
    /** `context` is per connection and lives across the sequence. */
    setupRequest?: (request: RawRequest, context: Record<string, unknown>) => RawRequest;
  }

  interface Stats {
    average: number;
    mean: number;
    stddev: number;
    min: number;
    max: number;
    total: number;
    p50: number;
    p90: number;
    p97_5: number;
    p99: number;
  }

  interface Result {
    url: string;
    /** Requests per second (sampled each second) plus `total` and `sent`. */
    requests: Stats & { sent: number };
    /** Milliseconds. */
    latency: Stats;
    /** Bytes per second. */
    throughput: Stats;
    errors: number;
    timeouts: number;
    non2xx: number;
    "2xx": number;
    /** Seconds. */
    duration: number;
  }

  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
  export type { Options, RawRequest, RequestSpec, Result };
}
