/** Small helpers shared by the benchmarks. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SimFleet, type SimFleetOptions } from '../test/fleet/sim-fleet.js';

/** The value after `--name` on the command line, or the default. */
export function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? dflt) : dflt;
}

/** Median: the machines are shared and noisy, so benchmarks report medians, not means. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Runs `body` with a simulated fleet and a scratch directory; both are removed whatever happens. */
export async function withSimFleet(opts: SimFleetOptions, body: (sim: SimFleet, tmp: string) => Promise<void>): Promise<void> {
  const sim = await SimFleet.up(opts);
  const tmp = mkdtempSync(path.join(os.tmpdir(), `fleet-bench-${opts.prefix}-`));
  try {
    await body(sim, tmp);
  } finally {
    await sim.down();
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** A benchmark's entry point: a failure is printed and the exit code set. */
export function runBench(main: () => Promise<void>): void {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}

/** One line describing the machine a result was measured on (results files start with it). */
export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} cores (nproc), ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${os.type()} ${os.release()}, load average at start ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`;
}
