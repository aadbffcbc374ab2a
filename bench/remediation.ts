/**
 * Benchmark: `fleet run bridge-remediation` on N simulated hosts, remediating the MANAGEMENT bridge
 * br0 (the connection's own address lives on it), with the playbook's canary ramp serial [1, 5, "20%"].
 * Each round injects a fault on every host (alternately STP on with forward delay 15 s, and MTU 1400
 * on the bridge), runs the remediation (every host changes: backup, dead-man switch, detached apply,
 * verification over a new connection, commit), then runs it again on the converged fleet (every
 * host is a no-op). Medians over rounds: wall time of both runs, per-host time of a change and its
 * phases (from the step records in the DB).
 *
 *   npm run build && node dist/bench/remediation.js [--hosts 50] [--rounds 3] [--forks 50]
 */
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../src/cli/main.js';
import { makeRedactor } from '../src/core/redact.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import { writeBr0Vars } from '../test/integration/remediation/helpers.js';
import { arg, median, runBench, withSimFleet } from './lib.js';

const STEP = 'bridge to declared state';

async function run(): Promise<void> {
  const hosts = Number(arg('--hosts', '50'));
  const rounds = Number(arg('--rounds', '3'));
  const forks = Number(arg('--forks', '50'));
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  await withSimFleet({ prefix: 'brm', count: hosts, vmsPerHost: 1 }, async (sim, tmp) => {
    const db = path.join(tmp, 'fleet.db');
    const vars = writeBr0Vars(sim, tmp);
    const remediate = async (): Promise<{ wallMs: number; code: number }> => {
      const t0 = performance.now();
      const code = await main(
        [
          'run',
          'bridge-remediation',
          '-i',
          sim.inventoryPath,
          '--known-hosts',
          sim.knownHostsPath,
          '--db',
          db,
          '--forks',
          String(forks),
          '-e',
          `@${vars}`,
          '--json',
        ],
        { stdout: sink, stderr: sink, stderrIsTTY: false, env: { ...process.env, FLEET_DB: '' }, cwd: tmp },
      );
      return { wallMs: performance.now() - t0, code };
    };
    console.log(
      `# ${hosts} simulated hosts up in ${(sim.timings.total / 1000).toFixed(1)} s; ${os.cpus().length} cores; load ${os.loadavg()[0]!.toFixed(1)}; --forks ${forks}; serial [1, 5, "20%"]`,
    );
    // The first run rewrites every host's interfaces file from the template: not a fault round.
    const first = await remediate();
    if (first.code !== 0) throw new Error(`first remediation exited ${first.code}`);

    const applyWall: number[] = [];
    const noopWall: number[] = [];
    const perHost: number[] = [];
    const phases = new Map<string, number[]>();
    for (let i = 0; i < rounds; i++) {
      for (const [k, h] of sim.hosts.entries()) {
        await sim.run(
          h.name,
          (i + k) % 2
            ? 'ip link set dev br0 mtu 1400'
            : 'ip link set dev br0 type bridge stp_state 1; ip link set dev br0 type bridge forward_delay 1500',
        );
      }
      const a = await remediate();
      const b = await remediate();
      if (a.code !== 0 || b.code !== 0) throw new Error(`round ${i + 1}: remediation exited ${a.code} then ${b.code}`);
      applyWall.push(a.wallMs);
      noopWall.push(b.wallMs);
      const store = await openSqliteStore(db, { redact: makeRedactor([]) });
      try {
        const [noop, apply] = await store.listRuns({ limit: 2 });
        const applied = (await store.getSteps(apply!.id)).filter((s) => s.name === STEP);
        const unchanged = (await store.getSteps(noop!.id)).filter((s) => s.name === STEP);
        if (applied.length !== hosts || applied.some((s) => !s.changed)) throw new Error(`round ${i + 1}: not every host changed`);
        if (unchanged.some((s) => s.changed))
          throw new Error(
            `round ${i + 1}: the second run changed ${unchanged
              .filter((s) => s.changed)
              .map((s) => s.host)
              .join(', ')}`,
          );
        for (const s of applied) {
          perHost.push(s.durationMs);
          for (const [, name, ms] of s.stdout.matchAll(/(\w+)=(\d+)ms/g)) phases.set(name!, [...(phases.get(name!) ?? []), Number(ms)]);
        }
      } finally {
        await store.close();
      }
    }

    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    console.log('| run | wall (median) | hosts/s |');
    console.log('|---|---:|---:|');
    console.log(`| every host changes (fault on each) | ${s(median(applyWall))} | ${(hosts / (median(applyWall) / 1000)).toFixed(1)} |`);
    console.log(`| converged fleet (no-op on each) | ${s(median(noopWall))} | ${(hosts / (median(noopWall) / 1000)).toFixed(1)} |`);
    console.log(`per-host change: median ${s(median(perHost))}, max ${s(Math.max(...perHost))} over ${perHost.length} changes`);
    console.log(`phase medians: ${[...phases].map(([k, v]) => `${k} ${median(v)} ms`).join(', ')}`);
  });
}

runBench(run);
