/**
 * For programs a benchmark runs as child processes: on exit, write this process's own CPU (user+sys),
 * peak RSS and timings as JSON to $FLEET_BENCH_USAGE, so the parent measures the child alone (not the
 * responders, not itself).
 */
import { writeFileSync } from 'node:fs';

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
