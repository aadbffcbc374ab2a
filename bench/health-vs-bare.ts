/**
 * Benchmark: `fleet run health-check` (read-only) against a bare script that opens one ssh2
 * connection per host and runs the same facts script once, at the same concurrency, on N simulated
 * hosts. Rounds alternate which goes first; medians and their ratio are reported, with controller CPU
 * per host. Connections and exec channels per host are counted from the hosts' own sshd logs
 * (LogLevel VERBOSE: "Accepted publickey" per connection, "Starting session" per channel).
 *
 *   npm run build && node dist/bench/health-vs-bare.js [--hosts 50] [--rounds 3] [--forks 50]
 */
import { readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { bareLoop } from './bare-ssh.js';
import { arg, median, runBench, withSimFleet } from './lib.js';
import { main } from '../src/cli/main.js';
import { factsCommand } from '../src/facts/index.js';

async function timed(fn: () => Promise<void>): Promise<{ wallMs: number; cpuMs: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const c = process.cpuUsage(cpu0);
  return { wallMs: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 };
}

async function run(): Promise<void> {
  const hosts = Number(arg('--hosts', '50'));
  const rounds = Number(arg('--rounds', '3'));
  const forks = Number(arg('--forks', '50'));
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  await withSimFleet({ prefix: 'bhc', count: hosts }, async (sim, tmp) => {
    const key = readFileSync(sim.keyPath);
    const targets = sim.hosts.map((h) => ({ address: h.address, port: h.port, command: factsCommand({ libvirtUri: h.libvirtUri }) }));
    const bare = async () => {
      const r = await bareLoop(targets, key, forks);
      if (r.failed) throw new Error(`bare loop: ${r.failed} hosts failed (${r.firstError})`);
    };
    let n = 0;
    const fleetRun = async () => {
      const code = await main(
        [
          'run',
          'health-check',
          '-i',
          sim.inventoryPath,
          '--known-hosts',
          sim.knownHostsPath,
          '--db',
          path.join(tmp, `r${n++}.db`),
          '--forks',
          String(forks),
          '--json',
        ],
        { stdout: sink, stderr: sink, stderrIsTTY: false, env: { ...process.env, FLEET_DB: '' }, cwd: tmp },
      );
      if (code !== 0) throw new Error(`fleet run health-check exited ${code}`);
    };
    console.log(
      `# ${hosts} simulated hosts up in ${(sim.timings.total / 1000).toFixed(1)} s; ${os.cpus().length} cores; load ${os.loadavg()[0]!.toFixed(1)}; --forks ${forks}`,
    );
    await bare(); // warm-up (JIT, page cache, sshd)
    await fleetRun();

    const r = { bare: { wall: [] as number[], cpu: [] as number[] }, fleet: { wall: [] as number[], cpu: [] as number[] } };
    for (let i = 0; i < rounds; i++) {
      const order = i % 2 ? (['fleet', 'bare'] as const) : (['bare', 'fleet'] as const);
      for (const which of order) {
        const t = await timed(which === 'bare' ? bare : fleetRun);
        r[which].wall.push(t.wallMs);
        r[which].cpu.push(t.cpuMs);
      }
    }

    // One more fleet run, with the sshd logs read before and after: what did it open per host?
    const logs = sim.hosts.map((h) => path.join(sim.dir, h.name, 'sshd.log'));
    const sizes = logs.map((l) => statSync(l).size);
    await fleetRun();
    await new Promise((res) => setTimeout(res, 300));
    const per = logs.map((l, i) => {
      const added = readFileSync(l, 'utf8').slice(sizes[i]);
      return { conns: (added.match(/Accepted publickey/g) ?? []).length, chans: (added.match(/Starting session/g) ?? []).length };
    });
    // Every host was contacted: a zero here means the logs are not being written, not a free lunch.
    if (per.some((p) => p.conns === 0))
      throw new Error(`sshd logs show no connection for some hosts (is sshd started with -e? see ${logs[0]})`);

    const bw = median(r.bare.wall);
    const fw = median(r.fleet.wall);
    console.log('| | wall (median) | controller CPU per host (median) |');
    console.log('|---|---:|---:|');
    console.log(`| bare ssh2 + facts script | ${(bw / 1000).toFixed(2)} s | ${(median(r.bare.cpu) / hosts).toFixed(1)} ms |`);
    console.log(`| fleet run health-check | ${(fw / 1000).toFixed(2)} s | ${(median(r.fleet.cpu) / hosts).toFixed(1)} ms |`);
    console.log(`ratio fleet/bare (wall): ${(fw / bw).toFixed(2)}x over ${rounds} alternating rounds`);
    console.log(
      `per host in one fleet run: connections max ${Math.max(...per.map((p) => p.conns))} (min ${Math.min(...per.map((p) => p.conns))}), exec channels max ${Math.max(...per.map((p) => p.chans))} (min ${Math.min(...per.map((p) => p.chans))})`,
    );
  });
}

runBench(run);
