/**
 * Benchmark: `fleet exec all -- true` on N simulated hosts at several --forks values.
 * Wall time and controller CPU per host, alternating the forks values round by round so machine
 * noise hits them alike; medians reported. Runs the CLI in-process so process.cpuUsage() is exactly
 * the controller's CPU (sshd's work on the "hosts" is not counted).
 *
 *   npm run build && node dist/bench/exec-forks.js [--hosts 100] [--rounds 3] [--forks 10,50,100]
 */
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { SimFleet } from '../test/fleet/sim-fleet.js';
import { arg, median, runBench, withSimFleet } from './lib.js';
import { main } from '../src/cli/main.js';

async function once(sim: SimFleet, forks: number, tmp: string, n: number): Promise<{ wallMs: number; cpuMs: number; code: number }> {
  let errText = '';
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const err = new Writable({
    write: (c, _e, cb) => {
      errText += String(c);
      cb();
    },
  });
  const db = path.join(tmp, `f${forks}-${n}.db`);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const code = await main(
    ['exec', 'all', '-i', sim.inventoryPath, '--known-hosts', sim.knownHostsPath, '--db', db, '--forks', String(forks), '--', 'true'],
    { stdout: sink, stderr: err, stderrIsTTY: false, env: { ...process.env, FLEET_DB: '' }, cwd: tmp },
  );
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(cpu0);
  if (code !== 0)
    console.error(
      errText
        .split('\n')
        .filter((l) => !l.startsWith('['))
        .join('\n'),
    );
  return { wallMs, cpuMs: (c.user + c.system) / 1000, code };
}

async function run(): Promise<void> {
  const hosts = Number(arg('--hosts', '100'));
  const rounds = Number(arg('--rounds', '3'));
  const forksList = arg('--forks', '10,50,100').split(',').map(Number);
  await withSimFleet({ prefix: 'bfk', count: hosts }, async (sim, tmp) => {
    console.log(
      `# ${hosts} simulated hosts up in ${(sim.timings.total / 1000).toFixed(1)} s; ${os.cpus().length} cores; load ${os.loadavg()[0]!.toFixed(1)}`,
    );
    await once(sim, 10, tmp, -1); // warm-up: JIT, page cache
    const results = new Map<number, { wall: number[]; cpu: number[] }>(forksList.map((f) => [f, { wall: [], cpu: [] }]));
    for (let r = 0; r < rounds; r++) {
      // Alternate the order each round so no forks value always runs first.
      const order = r % 2 ? [...forksList].reverse() : forksList;
      for (const f of order) {
        const x = await once(sim, f, tmp, r);
        if (x.code !== 0) throw new Error(`forks ${f}: exit ${x.code}`);
        results.get(f)!.wall.push(x.wallMs);
        results.get(f)!.cpu.push(x.cpuMs);
      }
    }
    console.log('| --forks | wall (median) | wall per host | controller CPU per host | runs |');
    console.log('|---:|---:|---:|---:|---:|');
    for (const [f, v] of results) {
      const w = median(v.wall);
      console.log(
        `| ${f} | ${(w / 1000).toFixed(2)} s | ${(w / hosts).toFixed(1)} ms | ${(median(v.cpu) / hosts).toFixed(1)} ms | ${v.wall.length} |`,
      );
    }
  });
}

runBench(run);
