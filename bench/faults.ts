/**
 * The same run through every host failure, at fleet size, three times in a row:
 * `npm run bench -- faults [--hosts 200] [--rounds 3]`
 *
 * A simulated fleet of --hosts hosts; every 25th host from hv01 gets one fault kind (sshd stopped, key
 * refused, host key changed, 1 s latency each way with 5% loss), one host flaps (management link down
 * and up every second during the runs), plus an address nobody answers and a server that never sends
 * its banner. Each round runs `fleet run health-check` on everything and checks: the run completed;
 * every host has exactly one row; each faulty host has the status its fault must give; every clean
 * host is ok; PRAGMA integrity_check is ok. Writes bench/results/faults-DATE.md.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import sqlite3 from 'sqlite3';
import { arg, runBench, withSimFleet } from './lib.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

function query<T>(db: string, sql: string, params: unknown[] = []): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const c = new sqlite3.Database(db, sqlite3.OPEN_READONLY, (err) => {
      if (err) return reject(err);
      c.all(sql, params, (e, rows) => (c.close(), e ? reject(e) : resolve(rows as T[])));
    });
  });
}

runBench(async () => {
  const count = Number(arg('--hosts', '200'));
  const rounds = Number(arg('--rounds', '3'));
  await withSimFleet({ prefix: 'fab', count, vmsPerHost: 1 }, async (sim, tmp) => {
    const sockets: Socket[] = [];
    const silent = createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const extra = path.join(tmp, 'odd.ini');
    writeFileSync(
      extra,
      `[odd]\nnoroute ansible_host=198.18.3.250\nsilent ansible_host=127.0.0.1 ansible_port=${(silent.address() as AddressInfo).port}\n[odd:vars]\nansible_user=root\nansible_ssh_private_key_file=${sim.keyPath}\n`,
    );
    const expected = new Map<string, string>([
      ['noroute', 'unreachable'],
      ['silent', 'unreachable'],
    ]);
    const kinds = ['sshd-stopped', 'authkey-removed', 'hostkey-changed', 'netem'] as const;
    for (let i = 1, k = 0; i <= count; i += 25, k++) {
      const h = sim.hosts[i - 1]!.name;
      const kind = kinds[k % kinds.length]!;
      if (kind === 'netem') await sim.inject(h, 'netem', { delayMs: 1000, lossPercent: 5 });
      else await sim.inject(h, kind);
      expected.set(h, kind === 'netem' ? 'ok' : 'unreachable');
    }
    const flapper = sim.hosts[12]!.name;
    let flapping = true;
    const flap = (async () => {
      while (flapping) {
        await sim.run(flapper, 'ip link set dev eth0 down; sleep 1; ip link set dev eth0 up');
        await new Promise((r) => setTimeout(r, 1000));
      }
    })();
    const lines: string[] = [];
    const db = path.join(tmp, 'faults.db');
    for (let round = 1; round <= rounds; round++) {
      const t0 = Date.now();
      const r = spawnSync(
        process.execPath,
        [
          path.join(ROOT, 'bin/fleet.js'),
          'run',
          'health-check',
          '-i',
          sim.inventoryPath,
          '-i',
          extra,
          '--known-hosts',
          sim.knownHostsPath,
          '--db',
          db,
          '--json',
          '--connect-timeout',
          '30',
          '--forks',
          '50',
        ],
        { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
      );
      const wall = Date.now() - t0;
      const doc = JSON.parse(r.stdout) as { run_id: number; status: string; hosts: Record<string, { status: string }> };
      const rows = await query<{ host: string; status: string }>(db, 'SELECT host, status FROM run_hosts WHERE run_id = ?', [doc.run_id]);
      const integrity = (await query<{ integrity_check: string }>(db, 'PRAGMA integrity_check'))[0]?.integrity_check;
      const wrong = [...expected]
        .filter(([h, s]) => doc.hosts[h]?.status !== s)
        .map(([h, s]) => `${h} ${doc.hosts[h]?.status} (want ${s})`);
      const cleanNotOk = Object.entries(doc.hosts).filter(([h, v]) => !expected.has(h) && h !== flapper && v.status !== 'ok');
      const byStatus: Record<string, number> = {};
      for (const v of Object.values(doc.hosts)) byStatus[v.status] = (byStatus[v.status] ?? 0) + 1;
      lines.push(
        `| ${round} | ${(wall / 1000).toFixed(1)} s | exit ${r.status} | ${doc.status} | ${rows.length} / ${count + 2} | ${Object.entries(
          byStatus,
        )
          .map(([k, v]) => `${k} ${v}`)
          .join(
            ', ',
          )} | ${doc.hosts[flapper]?.status} | ${wrong.length ? wrong.join('; ') : 'all as expected'} | ${cleanNotOk.length} | ${integrity} |`,
      );
      process.stderr.write(`${lines.at(-1)}\n`);
    }
    flapping = false;
    await flap;
    for (const s of sockets) s.destroy();
    silent.close();
    const out = [
      `# ${count} hosts through every host failure, ${rounds} runs in a row (${new Date().toISOString().slice(0, 10)})`,
      '',
      `\`npm run bench -- faults --hosts ${count} --rounds ${rounds}\` on ${os.cpus().length} cores, Node ${process.version}. Faults: every 25th host from hv01`,
      `cycles through sshd stopped, key refused, host key changed, 1 s latency each way with 5% loss; ${flapper} flaps; plus an address`,
      'nobody answers and a server that never sends its banner. `--forks 50 --connect-timeout 30`.',
      '',
      '| run | wall | exit | run status | rows / hosts | hosts by status | flapping host | faulty hosts | clean hosts not ok | integrity |',
      '|---:|---:|---|---|---|---|---|---|---:|---|',
      ...lines,
      '',
    ];
    process.stdout.write(out.join('\n'));
    writeFileSync(path.join(ROOT, 'bench/results', `faults-${new Date().toISOString().slice(0, 10)}.md`), out.join('\n'));
  });
});
