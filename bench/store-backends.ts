/**
 * Benchmark: what the PostgreSQL store costs against SQLite for one controller. `fleet run
 * health-check` on N simulated hosts, recording into an SQLite file or into a private PostgreSQL
 * server (test/helpers/postgres.ts: Unix socket, fsync on unless --no-fsync), rounds alternating which
 * goes first. Reports median wall time, this process's CPU per host, and the PostgreSQL server's own
 * CPU (its processes, from /proc), which the controller's CPU does not include.
 *
 *   npm run build && node dist/bench/store-backends.js [--hosts 30] [--rounds 5] [--no-fsync]
 */
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { arg, median, runBench, withSimFleet } from './lib.js';
import { main } from '../src/cli/main.js';
import { startPostgres } from '../test/helpers/postgres.js';

const TICK_MS = 10; // USER_HZ 100

/** CPU ms (user + system) used so far by the server: the postmaster and its children. */
function serverCpuMs(socketDir: string): number {
  const pidFile = path.join(path.dirname(socketDir), 'data/postmaster.pid');
  const postmaster = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  let ticks = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // f[1] = ppid, f[11] = utime, f[12] = stime (fields 4, 14, 15 of stat)
      if (Number(d) === postmaster || Number(f[1]) === postmaster) ticks += Number(f[11]) + Number(f[12]);
    } catch {
      /* exited meanwhile */
    }
  }
  return ticks * TICK_MS;
}

async function run(): Promise<void> {
  const hosts = Number(arg('--hosts', '30'));
  const rounds = Number(arg('--rounds', '5'));
  const fsync = !process.argv.includes('--no-fsync');
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const server = await startPostgres({ fsync });
  try {
    await withSimFleet({ prefix: 'bsb', count: hosts }, async (sim, tmp) => {
      const pgUrl = await server.createDatabase('bench');
      const targets = { sqlite: path.join(tmp, 'fleet.db'), postgres: pgUrl };
      const fleetRun = async (db: string) => {
        const code = await main(
          ['run', 'health-check', '-i', sim.inventoryPath, '--known-hosts', sim.knownHostsPath, '--db', db, '--json'],
          { stdout: sink, stderr: sink, stderrIsTTY: false, env: { ...process.env, FLEET_DB: '' }, cwd: tmp },
        );
        // 2: some check failed (this machine has no /dev/kvm); anything else means the run itself broke.
        if (code !== 0 && code !== 2) throw new Error(`fleet run health-check exited ${code}`);
      };
      console.log(
        `# ${hosts} simulated hosts; ${os.cpus().length} cores; load ${os.loadavg()[0]!.toFixed(1)}; PostgreSQL fsync ${fsync ? 'on' : 'off'}; ` +
          `test server started in ${(server.startupMs / 1000).toFixed(1)} s`,
      );
      await fleetRun(targets.sqlite); // warm-up and migrations of both
      await fleetRun(targets.postgres);

      const r = {
        sqlite: { wall: [] as number[], cpu: [] as number[], server: [] as number[] },
        postgres: { wall: [] as number[], cpu: [] as number[], server: [] as number[] },
      };
      for (let i = 0; i < rounds; i++) {
        const order = i % 2 ? (['postgres', 'sqlite'] as const) : (['sqlite', 'postgres'] as const);
        for (const which of order) {
          const s0 = serverCpuMs(server.socketDir);
          const cpu0 = process.cpuUsage();
          const t0 = performance.now();
          await fleetRun(targets[which]);
          const c = process.cpuUsage(cpu0);
          r[which].wall.push(performance.now() - t0);
          r[which].cpu.push((c.user + c.system) / 1000);
          r[which].server.push(serverCpuMs(server.socketDir) - s0);
        }
      }
      console.log('| store | wall (median) | controller CPU per host | PostgreSQL server CPU per run |');
      console.log('|---|---:|---:|---:|');
      for (const k of ['sqlite', 'postgres'] as const) {
        console.log(
          `| ${k} | ${(median(r[k].wall) / 1000).toFixed(2)} s | ${(median(r[k].cpu) / hosts).toFixed(1)} ms | ` +
            `${k === 'postgres' ? `${median(r[k].server).toFixed(0)} ms` : '-'} |`,
        );
      }
      console.log(
        `ratio postgres/sqlite (wall): ${(median(r.postgres.wall) / median(r.sqlite.wall)).toFixed(2)}x over ${rounds} alternating rounds; ` +
          `all walls ms: sqlite ${r.sqlite.wall.map(Math.round).join(',')} postgres ${r.postgres.wall.map(Math.round).join(',')}`,
      );
    });
  } finally {
    server.stop();
  }
}

runBench(run);
