/**
 * A deliberately tiny test runner for the browser journeys: tests run one after another,
 * each failure is printed with its stack, and the last line is `N passed, M failed`.
 */
export type TestFn<Context> = (context: Context) => Promise<void>;

export interface TestCase<Context> {
  name: string;
  fn: TestFn<Context>;
}

export interface Suite<Context> {
  test(name: string, fn: TestFn<Context>): void;
  readonly tests: readonly TestCase<Context>[];
}

export function createSuite<Context>(): Suite<Context> {
  const tests: TestCase<Context>[] = [];
  return {
    test: (name, fn) => void tests.push({ name, fn }),
    tests,
  };
}

export interface RunSummary {
  passed: number;
  failed: number;
}

export async function runTests<Context>(
  tests: readonly TestCase<Context>[],
  context: Context,
  options: { timeoutMs?: number } = {},
): Promise<RunSummary> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const summary: RunSummary = { passed: 0, failed: 0 };
  for (const { name, fn } of tests) {
    const started = performance.now();
    try {
      await withTimeout(fn(context), timeoutMs, name);
      summary.passed += 1;
      console.log(`  ✓ ${name} (${Math.round(performance.now() - started)} ms)`);
    } catch (error) {
      summary.failed += 1;
      console.log(`  ✗ ${name} (${Math.round(performance.now() - started)} ms)`);
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      console.log(detail.replace(/^/gm, "      "));
    }
  }
  return summary;
}

async function withTimeout<T>(promise: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`"${name}" timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
