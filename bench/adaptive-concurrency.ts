/**
 * Benchmark: `fleet run health-check` at several --forks, adaptive handshake window (the default)
 * against --no-adaptive (every fork handshakes at once), and the floor (bench/bare-ssh.ts: one bare
 * ssh2 connection + one exec of the facts script per host, at the same concurrency), on the
 * real-sshd simulated fleet and on the synthetic ssh2 fleet. Each run is a child process (bench/synthetic/fleet-child.js: wall, CPU, peak
 * RSS of the controller alone); per run: wall, hosts ok / unreachable, and what the window did
 * (peak, cuts, hosts retried and reached), from the run's own `timings.concurrency`. The two modes
 * rotate which goes first at each --forks value.
 *
 *   npm run bench -- adaptive-concurrency [--hosts 200] [--forks 10,25,50,100,200] [--rounds 1]
 *        [--synthetic 2000] [--synthetic-forks 10,50,100,500,1000,2000] [--net 91] [--only real|synthetic]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import type { ConcurrencyReport } from '../src/engine/events.js';
import { factsCommand } from '../src/facts/index.js';
import type { BareTarget } from './bare-ssh.js';
import { arg, median, runBench, withSimFleet } from './lib.js';
import { measure } from './synthetic/measure.js';
import { CHILD_DIR } from './synthetic/rounds.js';
import { SyntheticFleet } from './synthetic/synthetic-fleet.js';

type Mode = 'adaptive' | 'fixed' | 'floor';
const MODES: readonly Mode[] = ['adaptive', 'fixed', 'floor'];

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
  readonly keyPath: string;
  /** What the floor connects to and runs: the same facts command fleet sends each host. */
  readonly floor: readonly BareTarget[];
}

/** The floor at `forks`: its own process, like fleet's; a host it could not reach counts as unreachable. */
async function floorOnce(t: Target, forks: number, tmp: string): Promise<Result> {
  const targets = path.join(tmp, 'floor-targets.json');
  writeFileSync(targets, JSON.stringify(t.floor));
  const m = await measure(path.join(CHILD_DIR, 'floor-child.js'), [targets, t.keyPath, String(forks)], { cwd: tmp });
  const failed = Number(m.extra['failed'] ?? 0);
  return {
    wallMs: m.wallMs,
    cpuMs: m.cpuMs,
    ok: t.floor.length - failed,
    unreachable: failed,
    other: 0,
    concurrency: undefined,
    code: m.code,
  };
}

const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');

async function once(t: Target, forks: number, mode: Mode, tmp: string): Promise<Result> {
  if (mode === 'floor') return floorOnce(t, forks, tmp);
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

function describeWindow(c: ConcurrencyReport | undefined, mode: Mode): string {
  if (mode === 'floor') return 'bare ssh2 loop, fixed';
  if (!c) return '?';
  if (c.mode === 'fixed') return `fixed ${c.forks}`;
  const retried = c.retriedHosts ? `, ${c.retriedHosts} retried / ${c.recoveredHosts} reached` : '';
  return `${c.initialWindow}→peak ${c.peakWindow}→${c.finalWindow}, ${c.cuts} cuts${retried}`;
}

async function sweep(label: string, t: Target, hosts: number, forksList: number[], rounds: number, tmp: string): Promise<string[]> {
  const rows: string[] = [
    `### ${label}: ${hosts} hosts`,
    '',
    '| --forks | mode | wall (median) | wall / floor | controller CPU/host | CPU / floor | reached | unreachable | window (last round) |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const forks of forksList) {
    const got = new Map<Mode, Result[]>(MODES.map((m) => [m, []]));
    for (let r = 0; r < rounds; r++) {
      const shift = (r + forksList.indexOf(forks)) % MODES.length;
      const order = [...MODES.slice(shift), ...MODES.slice(0, shift)];
      for (const mode of order) {
        const x = await once(t, forks, mode, tmp);
        got.get(mode)!.push(x);
        console.error(
          `  ${label} forks ${forks} ${mode}: ${(x.wallMs / 1000).toFixed(1)} s, ${x.ok} reached, ${x.unreachable} unreachable, exit ${x.code}, window ${describeWindow(x.concurrency, mode)} (load ${load()})`,
        );
      }
    }
    const floor = got.get('floor')!;
    const floorWall = median(floor.map((x) => x.wallMs));
    const floorCpu = median(floor.map((x) => x.cpuMs));
    for (const [mode, xs] of got) {
      const last = xs.at(-1)!;
      const wall = median(xs.map((x) => x.wallMs));
      const cpu = median(xs.map((x) => x.cpuMs));
      rows.push(
        `| ${forks} | ${mode} | ${(wall / 1000).toFixed(1)} s | ${(wall / floorWall).toFixed(2)}× | ${(cpu / hosts).toFixed(1)} ms | ${(cpu / floorCpu).toFixed(2)}× | ${median(xs.map((x) => x.ok))} | ${median(xs.map((x) => x.unreachable))} | ${describeWindow(last.concurrency, mode)} |`,
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
  const synForks = arg('--synthetic-forks', '10,50,100,500,1000,2000').split(',').map(Number);
  const only = arg('--only', '');
  const out: string[] = [`# ${os.cpus().length} cores, load at start ${load()}, ${rounds} round(s) per point`];
  if (only !== 'synthetic') {
    await withSimFleet({ prefix: 'bac', count: hosts }, async (sim, tmp) => {
      console.error(`# ${hosts} simulated hosts up in ${(sim.timings.total / 1000).toFixed(1)} s; load ${load()}`);
      const floor = sim.hosts.map((h) => ({ address: h.address, port: h.port, command: factsCommand({ libvirtUri: h.libvirtUri }) }));
      out.push(
        '',
        ...(await sweep(
          'real sshd (simulated fleet)',
          { inventoryPath: sim.inventoryPath, knownHostsPath: sim.knownHostsPath, keyPath: sim.keyPath, floor },
          hosts,
          forksList,
          rounds,
          tmp,
        )),
      );
    });
  }
  if (only !== 'real') {
    // Its own loopback /16 (127.<net>.x.y): another synthetic fleet may be up beside it.
    const syn = await SyntheticFleet.up({ count: synHosts, net: Number(arg('--net', '91')) });
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'fleet-bench-adaptive-'));
    try {
      console.error(`# ${synHosts} synthetic hosts up; load ${load()}`);
      // The same command text fleet sends (libvirt_uri unset: qemu:///system).
      const command = factsCommand({ libvirtUri: 'qemu:///system' });
      const floor = syn.hosts.map((h) => ({ address: h.address, port: h.port, command }));
      const t = { inventoryPath: syn.inventoryPath, knownHostsPath: syn.knownHostsPath, keyPath: syn.keyPath, floor };
      out.push('', ...(await sweep('synthetic ssh2 fleet', t, synHosts, synForks, rounds, tmp)));
    } finally {
      await syn.down();
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  out.push('', `load at end ${load()}`);
  console.log(out.join('\n'));
}

runBench(run);
