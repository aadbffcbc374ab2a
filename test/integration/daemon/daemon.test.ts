/**
 * `fleet daemon` on a real simulated fleet: fires on time, keeps what retention says, never overlaps a
 * schedule with itself (slow runs, two daemons, one killed mid-run), survives a broken reload, stops
 * cleanly, and notifies a real webhook receiver only when something changes.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimFleet } from '../../fleet/sim-fleet.js';
import { fleet } from '../../helpers/cli.js';
import { overlapping, query, sleep, startDaemon, stopDaemon, type Daemon } from './helpers.js';

let sim: SimFleet;
let tmp: string;
const daemons: Daemon[] = [];

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'fleet-daemon-'));
  sim = await SimFleet.up({ prefix: 'dmn', count: 2, vmsPerHost: 1 });
  // A run well inside a 2 s interval, and one that outlasts it, whatever the machine's speed.
  writeFileSync(
    path.join(tmp, 'quick.yml'),
    '- name: quick\n  hosts: all\n  gather_facts: false\n  tasks:\n    - name: nothing\n      command: "true"\n      check_mode: false\n      changed_when: false\n',
  );
  writeFileSync(
    path.join(tmp, 'slow.yml'),
    '- name: slow\n  hosts: all\n  gather_facts: false\n  tasks:\n    - name: nap\n      command: sleep 3\n      check_mode: false\n      changed_when: false\n',
  );
});

afterAll(async () => {
  for (const d of daemons) d.child.kill('SIGKILL');
  await sim?.down();
  rmSync(tmp, { recursive: true, force: true });
});

interface RunRow {
  id: number;
  status: string;
  started_at: number;
  finished_at: number | null;
}
interface FireRow {
  due_at: number;
  outcome: string;
}

/** A schedule file with one schedule (YAML lines under `- name:`), in its own directory. */
function scheduleFile(name: string, body: string[]): { dir: string; file: string; db: string } {
  const dir = mkdtempSync(path.join(tmp, `${name}-`));
  const file = path.join(dir, 'fleet.schedule.yml');
  writeFileSync(
    file,
    ['schedules:', `  - name: ${name}`, `    inventory: ${sim.inventoryPath}`, ...body.map((l) => `    ${l}`), ''].join('\n'),
  );
  return { dir, file, db: path.join(dir, 'fleet.db') };
}

function daemon(s: { file: string; db: string; dir: string }, extra: string[] = []): Daemon {
  const d = startDaemon(
    ['--schedule', s.file, '--db', s.db, '--known-hosts', sim.knownHostsPath, '--connect-timeout', '5', ...extra],
    s.dir,
  );
  daemons.push(d);
  return d;
}

const runsOf = (db: string) => query<RunRow>(db, 'SELECT id, status, started_at, finished_at FROM runs ORDER BY id');
const firesOf = (db: string, outcome: string) =>
  query<FireRow>(db, 'SELECT due_at, outcome FROM schedule_fires WHERE outcome = ? ORDER BY due_at', [outcome]);

describe('fleet daemon', () => {
  it('fires every 2 s on time, keeps keep_runs, refuses a broken reload, serves metrics, stops with nothing running', async () => {
    const s = scheduleFile('tick', [
      `playbook: ${path.join(tmp, 'quick.yml')}`,
      'every: 2s',
      'retention: { keep_runs: 3, min_kept: 1 }',
      'report: tick.html',
    ]);
    const metricsFile = path.join(s.dir, 'fleet.prom');
    const d = daemon(s, ['--listen', '127.0.0.1:0', '--metrics-file', metricsFile]);
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(await d.waitFor(/listening on/))?.[1];
    const t0 = Date.now();
    await sleep(6000);
    const good = readFileSync(s.file, 'utf8');
    writeFileSync(s.file, 'schedules:\n  - name: tick\n    every: 61 seconds of nonsense\n');
    d.child.kill('SIGHUP');
    expect(await d.waitFor(/reload refused/)).toMatch(/reload refused, keeping the 1 current schedules: .*fleet\.schedule\.yml:\d+: /);
    await sleep(12_000 - (Date.now() - t0));
    const metrics = await (await fetch(`${url}metrics`)).text();
    const report = await fetch(`${url}schedules/tick`, { redirect: 'manual' });
    expect(await stopDaemon(d)).toBe(0);
    writeFileSync(s.file, good);

    // 12 s at 2 s: 6 fires (±1), each on the 2 s grid, each run started right after its due time.
    const due = d.lines.flatMap((l) => {
      const m = /^schedule=tick fired \(due (\S+)\)$/.exec(l);
      return m ? [Date.parse(m[1]!)] : [];
    });
    expect(due.length, d.lines.join('\n')).toBeGreaterThanOrEqual(5);
    expect(due.length).toBeLessThanOrEqual(7);
    for (const t of due) expect(t % 2000).toBe(0);
    // The fire history in the DB agrees for the fires whose runs retention kept.
    const ran = await firesOf(s.db, 'ran');
    expect(ran.map((f) => f.due_at)).toEqual(expect.arrayContaining(due.slice(-3)));
    const runs = await runsOf(s.db);
    // Retention: exactly keep_runs are left, the newest, none still running.
    expect(runs.map((r) => r.status)).toEqual(['completed', 'completed', 'completed']);
    const lastDue = due.slice(-3);
    runs.forEach((r, i) => {
      expect(r.started_at - lastDue[i]!).toBeGreaterThanOrEqual(0);
      expect(r.started_at - lastDue[i]!).toBeLessThan(1500);
    });
    expect(d.count(/schedule=tick run=\d+ completed ok=2 failed=0 unreachable=0 took=/)).toBe(due.length);
    expect(d.lines.some((l) => /retention: \d+ old runs? deleted/.test(l))).toBe(true);
    expect(d.lines.at(-1)).toBe('daemon stopped');

    // `fleet runs` shows what is kept.
    const listed = await fleet(['runs', '--db', s.db]);
    expect(listed.code).toBe(0);
    for (const r of runs) expect(listed.stdout).toMatch(new RegExp(`^\\s*${r.id}\\s`, 'm'));

    // `fleet schedule list` names the last run and its outcome.
    const list = await fleet(['schedule', 'list', '--schedule', s.file, '--db', s.db, '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([
      expect.objectContaining({ name: 'tick', last_run: runs.at(-1)!.id, last_outcome: 'completed' }),
    ]);

    // Metrics over HTTP and in the textfile; the report of the schedule's latest run.
    expect(metrics).toContain(`fleet_schedule_runs_total{schedule="tick",outcome="completed"} `);
    expect(metrics).toMatch(/fleet_schedule_hosts\{schedule="tick",status="ok"\} 2/);
    expect(readFileSync(metricsFile, 'utf8')).toMatch(/# TYPE fleet_schedule_last_run_duration_seconds gauge/);
    expect(report.status).toBe(302);
    expect(report.headers.get('location')).toMatch(/^\/runs\/\d+$/);
    expect(readFileSync(path.join(s.dir, 'tick.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/i);
  }, 60_000);

  it('a run slower than its interval: runs never overlap, the fires in between are recorded skipped; SIGTERM past --grace records the run interrupted', async () => {
    const s = scheduleFile('slow', [`playbook: ${path.join(tmp, 'slow.yml')}`, 'every: 2s']);
    const d = daemon(s, ['--grace', '1s']);
    await d.waitFor(/schedule=slow fire due .* skipped: the previous run is still going \(overlap: skip\)/, 30_000);
    await d.waitCount(/schedule=slow run=\d+ completed/, 2, 30_000);
    // SIGTERM mid-run with a 1 s grace: the 3 s run is interrupted, recorded so, and the daemon exits 0.
    await d.waitCount(/schedule=slow fired/, 3, 30_000);
    await sleep(500);
    expect(await stopDaemon(d)).toBe(0);
    expect(d.lines).toContain('schedule=slow grace period over: interrupting the run');
    const runs = await runsOf(s.db);
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expect(overlapping(runs)).toEqual([]);
    expect((await firesOf(s.db, 'skipped')).length).toBeGreaterThanOrEqual(1);
    expect(runs.at(-1)?.status).toBe('interrupted');
    expect(runs.slice(0, -1).every((r) => r.status === 'completed')).toBe(true);
  }, 90_000);

  it('two daemons on one DB never run the schedule at once; kill -9 one mid-run: the other takes over, the killed run is interrupted', async () => {
    const s = scheduleFile('pair', [`playbook: ${path.join(tmp, 'slow.yml')}`, 'every: 2s']);
    const a = daemon(s, ['--lease', '3s']);
    await a.waitFor(/schedule=pair fired/);
    const b = daemon(s, ['--lease', '3s']);
    await b.waitFor(/schedule=pair fire due .* skipped: another fleet holds its lock/, 30_000);
    // A is mid-run (its runs take 3 s+): kill it without a chance to clean up.
    await a.waitFor(/schedule=pair fired/);
    let killedRun: RunRow | undefined;
    for (let i = 0; i < 100 && !killedRun; i++) {
      killedRun = (await runsOf(s.db)).find((r) => r.status === 'running');
      if (!killedRun) await sleep(50);
    }
    expect(killedRun, a.lines.join('\n')).toBeDefined();
    a.child.kill('SIGKILL');
    await a.exited;
    await b.waitFor(/schedule=pair run=\d+ completed/, 30_000);
    expect(await stopDaemon(b)).toBe(0);
    const runs = await runsOf(s.db);
    expect(runs.find((r) => r.id === killedRun!.id)?.status).toBe('interrupted');
    expect(b.lines.some((l) => l.includes(`recovered runs left running by a dead controller: ${killedRun!.id}`))).toBe(true);
    expect(overlapping(runs)).toEqual([]);
    expect(runs.filter((r) => r.status === 'running')).toEqual([]);
  }, 90_000);

  it('notifies a webhook once when a check starts failing and once when it recovers, never in between; a receiver that was down gets it once', async () => {
    const got: { body: string }[] = [];
    let server: Server | undefined;
    const listen = (port: number) =>
      new Promise<Server>((resolve) => {
        const srv = createServer((req, res) => {
          let body = '';
          req.on('data', (c: Buffer) => (body += c.toString('utf8')));
          req.on('end', () => {
            got.push({ body });
            res.writeHead(200).end('ok');
          });
        });
        srv.listen(port, '127.0.0.1', () => resolve(srv));
      });
    const close = (srv: Server) => new Promise<void>((r) => srv.close(() => r()));
    server = await listen(0);
    const port = (server.address() as AddressInfo).port;
    const s = scheduleFile('watch', [
      'playbook: health-check',
      'tags: [bridge]',
      'extra_vars: { bridge: br0, uplink: eth0 }',
      'every: 2s',
      'notify:',
      `  webhook: http://127.0.0.1:${port}/hook/T0KEN-in-url`,
      '  timeout: 2s',
      '  retries: 20',
    ]);
    const d = daemon(s);
    const done = /schedule=watch run=\d+ completed/;
    const afterRuns = (n: number) => d.waitCount(done, d.count(done) + n, 30_000);
    const waitGot = async (n: number) => {
      for (let i = 0; i < 300 && got.length < n; i++) await sleep(100);
      expect(got.length, d.lines.join('\n')).toBe(n);
    };
    await afterRuns(2);
    expect(got).toHaveLength(0); // a clean fleet: nothing to say

    await sim.run('hv01', 'ip link set dev br0 mtu 1400');
    await waitGot(1);
    await afterRuns(2);
    expect(got).toHaveLength(1);
    const first = JSON.parse(got[0]!.body) as { new_failing: { host: string; check: string }[]; text: string };
    expect(first.new_failing).toEqual([expect.objectContaining({ host: 'hv01', check: 'bridge.mtu' })]);
    expect(first.text).toMatch(/^fleet watch \(run \d+\): 1 new failing/);

    await sim.run('hv01', 'ip link set dev br0 mtu 1500');
    await waitGot(2);
    await afterRuns(2);
    expect(got).toHaveLength(2);
    expect(JSON.parse(got[1]!.body)).toMatchObject({
      recovered: [expect.objectContaining({ host: 'hv01', check: 'bridge.mtu' })],
    });

    // The receiver goes away; the fault comes back; the notification waits in the outbox.
    await close(server);
    await sim.run('hv01', 'ip link set dev br0 mtu 1400');
    await d.waitFor(/notification failed: schedule=watch webhook .* attempt=1\/21/, 30_000);
    await afterRuns(1);
    server = await listen(port);
    await waitGot(3);
    await afterRuns(2);
    expect(got).toHaveLength(3);
    expect(JSON.parse(got[2]!.body)).toMatchObject({ new_failing: [expect.objectContaining({ host: 'hv01' })] });
    expect(await stopDaemon(d)).toBe(0);
    await close(server);
    await sim.run('hv01', 'ip link set dev br0 mtu 1500');
    // The token in the webhook URL never reaches the log.
    expect(d.lines.join('\n')).not.toContain('T0KEN-in-url');
  }, 120_000);
});
