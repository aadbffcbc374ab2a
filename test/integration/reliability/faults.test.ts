/**
 * The run survives every way a host can fail: each faulty host gets the right status and reason,
 * the clean hosts' results are exactly what they were without the faults, every host has its row,
 * and the DB passes PRAGMA integrity_check. Faults (one host each): sshd stopped (refused), the key
 * no longer authorised, a changed host key, a command that hangs past --timeout (its remote process
 * is killed too), the connection dropped mid-command (the host's sshd session killed), 1 s of
 * latency each way with 5% loss (slower, not failed), a host flapping up and down during the run, an
 * address nothing answers, a server that accepts TCP and never sends its banner.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimFleet } from '../../fleet/sim-fleet.js';
import { fleet, simFleetArgs } from '../../helpers/cli.js';
import { query, sleep } from '../daemon/helpers.js';

interface RunJson {
  run_id: number;
  status: string;
  hosts: Record<string, { status: string; reason: string | null; checks: Record<string, { status: string }> }>;
}

let sim: SimFleet;
let tmp: string;
let silent: Server;
const sockets: Socket[] = [];
let extraInventory: string;

const CLEAN = ['hv04', 'hv06', 'hv08', 'hv09', 'hv10'];

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'fleet-faults-'));
  sim = await SimFleet.up({ prefix: 'flt', count: 10, vmsPerHost: 1 });
  // Accepts TCP, never says a word.
  silent = createServer((s) => void sockets.push(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  extraInventory = path.join(tmp, 'extra.ini');
  writeFileSync(
    extraInventory,
    [
      '[odd]',
      // On the simulated management segment, but no host has it: ARP gets no answer.
      'noroute ansible_host=198.18.3.250',
      `silent ansible_host=127.0.0.1 ansible_port=${(silent.address() as AddressInfo).port}`,
      '',
      '[odd:vars]',
      'ansible_user=root',
      `ansible_ssh_private_key_file=${sim.keyPath}`,
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => (silent ? silent.close(() => r()) : r()));
  await sim?.down();
  rmSync(tmp, { recursive: true, force: true });
});

function healthCheck(db: string, extra: string[] = []) {
  return fleet(
    [
      'run',
      'health-check',
      '-i',
      sim.inventoryPath,
      '-i',
      extraInventory,
      '--known-hosts',
      sim.knownHostsPath,
      '--db',
      db,
      '--json',
      ...extra,
    ],
    { timeoutMs: 170_000 },
  );
}

const checkStatuses = (doc: RunJson, host: string) =>
  Object.fromEntries(Object.entries(doc.hosts[host]?.checks ?? {}).map(([id, c]) => [id, c.status]));

/** Processes of one simulated host (same network namespace), by command line. */
async function hostProcesses(host: string, text: string): Promise<string[]> {
  // "[s]leep 7": the regex matches the command but not this shell's own command line.
  const pattern = `[${text[0]}]${text.slice(1)}`;
  const r = await sim.run(
    host,
    `me=$(readlink /proc/self/ns/net); for p in $(pgrep -f ${JSON.stringify(pattern)}); do [ "$(readlink /proc/$p/ns/net 2>/dev/null)" = "$me" ] && echo $p; done; true`,
  );
  return r.stdout.split('\n').filter(Boolean);
}

describe('a health check through every kind of host failure', () => {
  it('completes; each faulty host has the right status and reason, clean hosts are unaffected, every row is stored, the DB is intact', async () => {
    const baseline = JSON.parse((await healthCheck(path.join(tmp, 'base.db'), ['-l', CLEAN.join(',')])).stdout) as RunJson;

    await sim.inject('hv01', 'sshd-stopped');
    await sim.inject('hv02', 'authkey-removed');
    await sim.inject('hv03', 'hostkey-changed');
    await sim.inject('hv05', 'netem', { delayMs: 1000, lossPercent: 5 });
    // hv07 flaps: its management link goes down and up every second while the run goes.
    let flapping = true;
    const flapper = (async () => {
      while (flapping) {
        await sim.run('hv07', 'ip link set dev eth0 down; sleep 1; ip link set dev eth0 up');
        await sleep(1000);
      }
    })();
    const db = path.join(tmp, 'faults.db');
    const t0 = Date.now();
    const r = await healthCheck(db, ['--timeout', '8', '--connect-timeout', '30', '--forks', '20']);
    const took = Date.now() - t0;
    flapping = false;
    await flapper;
    const doc = JSON.parse(r.stdout) as RunJson;
    console.log(`fault run: ${took} ms, exit ${r.code}`);
    for (const [h, v] of Object.entries(doc.hosts)) console.log(`${h}: ${v.status} ${v.reason ?? ''}`);

    expect(doc.status).toBe('completed');
    expect(r.code).toBe(4); // some host unreachable (and failed ones): the worst class wins
    const h = doc.hosts;
    expect(h['hv01']).toMatchObject({ status: 'unreachable', reason: expect.stringMatching(/refused/i) });
    expect(h['hv02']).toMatchObject({ status: 'unreachable', reason: expect.stringMatching(/authenticat/i) });
    expect(h['hv03']).toMatchObject({ status: 'unreachable', reason: expect.stringMatching(/host key.*(changed|does not match)/i) });
    expect(h['hv05']?.status).toBe('ok');
    expect(['ok', 'unreachable', 'failed']).toContain(h['hv07']?.status);
    if (h['hv07']?.status !== 'ok') expect(h['hv07']?.reason).toBeTruthy();
    expect(h['noroute']).toMatchObject({ status: 'unreachable', reason: expect.stringMatching(/unreachable|no route|timed out/i) });
    expect(h['silent']).toMatchObject({ status: 'unreachable', reason: expect.stringMatching(/timed out|banner|handshake/i) });
    for (const c of CLEAN) {
      expect(h[c]?.status, c).toBe('ok');
      expect(checkStatuses(doc, c), c).toEqual(checkStatuses(baseline, c));
    }

    // Stored: one row per host, the run closed, the file sound.
    const hosts = await query<{ host: string; status: string }>(db, 'SELECT host, status FROM run_hosts WHERE run_id = ?', [doc.run_id]);
    expect(hosts.map((x) => x.host).sort()).toEqual(Object.keys(doc.hosts).sort());
    expect(Object.fromEntries(hosts.map((x) => [x.host, x.status]))).toEqual(
      Object.fromEntries(Object.entries(doc.hosts).map(([k, v]) => [k, v.status])),
    );
    expect(await query(db, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    expect(await query(db, "SELECT id FROM runs WHERE status = 'running'")).toEqual([]);
  }, 180_000);

  it('exec: a command hanging past --timeout fails that host and its remote process dies; a connection dropped mid-command fails only its host', async () => {
    await sim.inject('hv04', 'hang', { command: 'virsh' });
    const dropper = (async () => {
      for (let i = 0; i < 300; i++) {
        if ((await hostProcesses('hv06', 'sleep 7')).length > 0) break;
        await sleep(100);
      }
      const sessions = await hostProcesses('hv06', 'sshd: root');
      if (sessions.length) await sim.run('hv06', `kill -9 ${sessions.join(' ')}`);
      return sessions.length;
    })();
    const db = path.join(tmp, 'exec.db');
    const r = await fleet(
      [
        'exec',
        'hv04,hv06,hv08,hv09',
        'case $(hostname) in hv04) virsh list;; hv06) sleep 7; echo late;; *) echo fine;; esac',
        ...simFleetArgs(sim, db),
        '--json',
        '--timeout',
        '10',
      ],
      { timeoutMs: 60_000 },
    );
    expect(await dropper).toBeGreaterThan(0);
    const doc = JSON.parse(r.stdout) as RunJson;
    for (const [h, v] of Object.entries(doc.hosts)) console.log(`exec ${h}: ${v.status} ${v.reason ?? ''}`);
    expect(doc.hosts['hv04']).toMatchObject({ status: 'failed', reason: expect.stringMatching(/timed out after 10s/) });
    expect(doc.hosts['hv06']).toMatchObject({
      status: expect.stringMatching(/^(failed|unreachable)$/),
      reason: expect.stringMatching(/closed|lost|reset|ended|dropped/i),
    });
    expect(doc.hosts['hv08']?.status).toBe('ok');
    expect(doc.hosts['hv09']?.status).toBe('ok');
    expect(await hostProcesses('hv04', 'sleep 86400')).toEqual([]);
    expect(await query(db, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    expect((await query(db, 'SELECT host FROM run_hosts')).length).toBe(4);
  }, 90_000);
});
