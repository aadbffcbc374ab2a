/**
 * Benchmark: `fleet run health-check` at several --forks, adaptive handshake window (the default)
 * against --no-adaptive (every fork handshakes at once), on the real-sshd simulated fleet and on the
 * synthetic ssh2 fleet. Each run is a child process (bench/synthetic/fleet-child.js: wall, CPU, peak
 * RSS of the controller alone); per run: wall, hosts ok / unreachable, and what the window did
 * (peak, cuts, hosts retried and reached), from the run's own `timings.concurrency`. The two modes
 * alternate which goes first at each --forks value.
 *
 *   npm run bench -- adaptive-concurrency [--hosts 200] [--forks 10,25,50,100,200] [--rounds 1]
 *        [--synthetic 2000] [--synthetic-forks 100,500,1000,2000] [--net 91] [--only real|synthetic]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConcurrencyReport } from '../src/engine/events.js';
import { arg, median, runBench, withSimFleet } from './lib.js';
import { measure } from './synthetic/measure.js';
import { CHILD_DIR } from './synthetic/rounds.js';
import { SyntheticFleet } from './synthetic/synthetic-fleet.js';

type Mode = 'adaptive' | 'fixed';

interface Result {
  wallMs: number;
  cpuMs: number;
  ok: number;
  unreachable: number;
  other: number;
  concurrency: ConcurrencyReport | undefined;
  code: number | null;
}

interface Target {
  readonly inventoryPath: string;
  readonly knownHostsPath: string;
}

const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');

async function once(t: Target, forks: number, mode: Mode, tmp: string): Promise<Result> {
  const db = path.join(tmp, `${mode}-${forks}.db`);
  const json = path.join(tmp, `${mode}-${forks}.json`);
  const args = [
    'run',
    'health-check',
    '-i',
    t.inventoryPath,
    '--known-hosts',
    t.knownHostsPath,
    '--db',
    db,
    '--forks',
    String(forks),
    '--json',
  ];
  if (mode === 'fixed') args.push('--no-adaptive');
  const m = await measure(path.join(CHILD_DIR, 'fleet-child.js'), args, { cwd: tmp, stdoutFile: json });
  try {
    const doc = JSON.parse(readFileSync(json, 'utf8')) as {
      hosts: Record<string, { status: string }>;
      timings?: { concurrency?: ConcurrencyReport };
    };
    const statuses = Object.values(doc.hosts).map((h) => h.status);
    const ok = statuses.filter((s) => s === 'ok' || s === 'changed' || s === 'failed').length;
    const unreachable = statuses.filter((s) => s === 'unreachable').length;
    return {
      wallMs: m.wallMs,
      cpuMs: m.cpuMs,
      ok,
      unreachable,
      other: statuses.length - ok - unreachable,
      concurrency: doc.timings?.concurrency,
      code: m.code,
    };
  } finally {
    for (const f of [db, `${db}-wal`, `${db}-shm`, json]) rmSync(f, { force: true });
  }
}

function describeWindow(c: ConcurrencyReport | undefined): string {
  if (!c) return '?';
  if (c.mode === 'fixed') return `fixed ${c.forks}`;
  const retried = c.retriedHosts ? `, ${c.retriedHosts} retried / ${c.recoveredHosts} reached` : '';
  return `${c.initialWindow}→peak ${c.peakWindow}→${c.finalWindow}, ${c.cuts} cuts${retried}`;
}

async function sweep(label: string, t: Target, hosts: number, forksList: number[], rounds: number, tmp: string): Promise<string[]> {
  const rows: string[] = [
    `### ${label}: ${hosts} hosts`,
    '',
    '| --forks | mode | wall (median) | controller CPU/host | reached | unreachable | window (last round) |',
    '|---:|---|---:|---:|---:|---:|---|',
  ];
  for (const forks of forksList) {
    const got = new Map<Mode, Result[]>([
      ['adaptive', []],
      ['fixed', []],
    ]);
    for (let r = 0; r < rounds; r++) {
      const order: Mode[] = (r + forksList.indexOf(forks)) % 2 ? ['fixed', 'adaptive'] : ['adaptive', 'fixed'];
      for (const mode of order) {
        const x = await once(t, forks, mode, tmp);
        got.get(mode)!.push(x);
        console.error(
          `  ${label} forks ${forks} ${mode}: ${(x.wallMs / 1000).toFixed(1)} s, ${x.ok} reached, ${x.unreachable} unreachable, exit ${x.code}, window ${describeWindow(x.concurrency)} (load ${load()})`,
        );
      }
    }
    for (const [mode, xs] of got) {
      const last = xs.at(-1)!;
      rows.push(
        `| ${forks} | ${mode} | ${(median(xs.map((x) => x.wallMs)) / 1000).toFixed(1)} s | ${(median(xs.map((x) => x.cpuMs)) / hosts).toFixed(1)} ms | ${median(xs.map((x) => x.ok))} | ${median(xs.map((x) => x.unreachable))} | ${describeWindow(last.concurrency)} |`,
      );
    }
  }
  return rows;
}

async function run(): Promise<void> {
  const hosts = Number(arg('--hosts', '200'));
  const rounds = Number(arg('--rounds', '1'));
  const forksList = arg('--forks', '10,25,50,100,200').split(',').map(Number);
  const synHosts = Number(arg('--synthetic', '2000'));
  const synForks = arg('--synthetic-forks', '100,500,1000,2000').split(',').map(Number);
  const only = arg('--only', '');
  const out: string[] = [`# ${os.cpus().length} cores, load at start ${load()}, ${rounds} round(s) per point`];
  if (only !== 'synthetic') {
    await withSimFleet({ prefix: 'bac', count: hosts }, async (sim, tmp) => {
      console.error(`# ${hosts} simulated hosts up in ${(sim.timings.total / 1000).toFixed(1)} s; load ${load()}`);
      out.push('', ...(await sweep('real sshd (simulated fleet)', sim, hosts, forksList, rounds, tmp)));
    });
  }
  if (only !== 'real') {
    // Its own loopback /16 (127.<net>.x.y): another synthetic fleet may be up beside it.
    const syn = await SyntheticFleet.up({ count: synHosts, net: Number(arg('--net', '91')) });
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'fleet-bench-adaptive-'));
    try {
      console.error(`# ${synHosts} synthetic hosts up; load ${load()}`);
      out.push('', ...(await sweep('synthetic ssh2 fleet', syn, synHosts, synForks, rounds, tmp)));
    } finally {
      await syn.down();
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  out.push('', `load at end ${load()}`);
  console.log(out.join('\n'));
}

runBench(run);
