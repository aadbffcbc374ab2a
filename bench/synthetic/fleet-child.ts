/**
 * `fleet` as the scale benchmark runs it: the real CLI (same argv as bin/fleet.js), plus a report of
 * its own CPU and peak RSS on exit, the store's write statistics (time spent writing the DB) and
 * when main() returned (what happens between that and the exit is the run's tail).
 *
 *   FLEET_BENCH_USAGE=/tmp/u.json node dist/bench/synthetic/fleet-child.js run health-check -i …
 */
import { main } from '../../src/cli/main.js';
import { SqlRunStore } from '../../src/store/sql-run-store.js';
import type { WriteQueueStats } from '../../src/store/write-queue.js';
import { logMemoryEverySecond, reportUsageOnExit } from './child-usage.js';

// The CLI owns its store; its write statistics are read as it closes (bench-only instrumentation).
const stats: WriteQueueStats[] = [];
const close = SqlRunStore.prototype.close;
SqlRunStore.prototype.close = function (this: SqlRunStore) {
  stats.push(this.stats());
  return close.call(this);
};

logMemoryEverySecond();
let mainReturnedAtMs: number | null = null;
reportUsageOnExit(() => ({
  mainReturnedAtMs,
  dbWriterMs: stats.reduce((s, x) => s + x.writerMs, 0),
  dbBatches: stats.reduce((s, x) => s + x.batches, 0),
  dbItems: stats.reduce((s, x) => s + x.items, 0),
}));
process.exitCode = await main(process.argv.slice(2));
mainReturnedAtMs = performance.now();
