/**
 * For programs a benchmark runs as child processes: on exit, write this process's own CPU (user+sys),
 * peak RSS and timings as JSON to $FLEET_BENCH_USAGE, so the parent measures the child alone (not the
 * responders, not itself).
 */
import { appendFileSync, writeFileSync } from 'node:fs';

export interface ChildUsage {
  readonly cpuMs: number;
  readonly maxRssBytes: number;
  /** ms from process start to the exit handler. */
  readonly exitAtMs: number;
  readonly extra: Record<string, unknown>;
}

export function reportUsageOnExit(extra: () => Record<string, unknown>): void {
  const out = process.env.FLEET_BENCH_USAGE;
  if (!out) return;
  process.on('exit', () => {
    const r = process.resourceUsage();
    const u: ChildUsage = {
      cpuMs: (r.userCPUTime + r.systemCPUTime) / 1000,
      maxRssBytes: r.maxRSS * 1024,
      exitAtMs: performance.now(),
      extra: extra(),
    };
    writeFileSync(out, JSON.stringify(u));
  });
}

/**
 * With $FLEET_BENCH_MEMLOG set: one line per second of process.memoryUsage() (rss, heapUsed, external,
 * arrayBuffers), to tell a growing live heap from garbage V8 has not collected yet or native memory.
 */
export function logMemoryEverySecond(): void {
  const out = process.env.FLEET_BENCH_MEMLOG;
  if (!out) return;
  const t = setInterval(() => {
    const m = process.memoryUsage();
    appendFileSync(out, `${JSON.stringify({ t: Math.round(performance.now()), ...m })}\n`);
  }, 1000);
  t.unref();
}
