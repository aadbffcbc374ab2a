/**
 * Benchmark: a sharded `fleet run health-check` on synthetic SSH hosts (bench/synthetic/) with 1, 2 and
 * 4 `fleet worker` processes on a private PostgreSQL (test/helpers/postgres.ts), against the same run
 * unsharded on that PostgreSQL. Wall time is the submitter's, from start to its exit (every shard done,
 * fleet-wide checks run). All processes share this machine: on a 2-core box more workers cannot add
 * CPU, so the numbers show the cost of sharding more than its gain; across controllers each worker
 * brings its own cores and connections.
 *
 *   npm run bench -- shards [--hosts 1000] [--workers 1,2,4] [--shard-size 125] [--forks 50]
 *                           [--concurrency 2] [--delay-ms 0]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPostgres } from '../test/helpers/postgres.js';
import { arg, runBench } from './lib.js';
import { SyntheticFleet } from './synthetic/synthetic-fleet.js';

const ROOT = path.resolve(import.meta.dirname, import.meta.dirname.includes(`${path.sep}dist${path.sep}`) ? '../..' : '..');
const BIN = path.join(ROOT, 'bin/fleet.js');

interface Proc {
  readonly done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  kill(sig: NodeJS.Signals): void;
}

function start(args: string[], cwd: string): Proc {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, FLEET_DB: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  return {
    done: new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr }))),
    kill: (sig) => child.kill(sig),
  };
}

runBench(async () => {
  const hosts = Number(arg('--hosts', '1000'));
  const workerCounts = arg('--workers', '1,2,4').split(',').map(Number);
  const shardSize = arg('--shard-size', '125');
  const forks = arg('--forks', '50');
  const concurrency = arg('--concurrency', '2');
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'fleet-bench-shards-'));
  const [syn, pg] = await Promise.all([
    SyntheticFleet.up({ count: hosts, net: 79, delayMs: Number(arg('--delay-ms', '0')) }),
    startPostgres(),
  ]);
  const common = ['health-check', '-i', syn.inventoryPath, '--known-hosts', syn.knownHostsPath, '--forks', forks, '--json'];
  const rows: string[] = [];
  try {
    {
      const url = await pg.createDatabase('plain');
      const t0 = performance.now();
      const r = await start(['run', ...common, '--db', url], tmp).done;
      const ms = performance.now() - t0;
      if (r.code !== 0 && r.code !== 2) throw new Error(`unsharded run exited ${r.code}: ${r.stderr.slice(-500)}`);
      rows.push(`| unsharded (one process) | – | ${(ms / 1000).toFixed(1)} s |`);
      console.error(rows.at(-1));
    }
    for (const n of workerCounts) {
      const url = await pg.createDatabase(`w${n}`);
      const workers = Array.from({ length: n }, () =>
        start(['worker', '--db', url, '--concurrency', concurrency, '--poll-interval', '0.2', '--maintenance-interval', '5'], tmp),
      );
      const t0 = performance.now();
      const r = await start(['run', ...common, '--db', url, '--shard-size', shardSize], tmp).done;
      const ms = performance.now() - t0;
      for (const w of workers) w.kill('SIGTERM');
      await Promise.all(workers.map((w) => w.done));
      if (r.code !== 0 && r.code !== 2) throw new Error(`sharded run exited ${r.code}: ${r.stderr.slice(-500)}`);
      const doc = JSON.parse(r.stdout) as { hosts: Record<string, unknown> };
      const shards = Math.ceil(hosts / Number(shardSize));
      rows.push(
        `| ${n} worker(s) × ${concurrency} shards | ${shards} × ${shardSize} | ${(ms / 1000).toFixed(1)} s (${Object.keys(doc.hosts).length} hosts) |`,
      );
      console.error(rows.at(-1));
    }
  } finally {
    await syn.down();
    pg.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
  console.log(`\n${hosts} synthetic hosts, --forks ${forks}, ${os.cpus().length} CPU(s)\n`);
  console.log('| setup | shards | wall |\n|---|---|---|');
  for (const r of rows) console.log(r);
});
