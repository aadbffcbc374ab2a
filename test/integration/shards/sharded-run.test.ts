/**
 * Sharded runs end to end on a real PostgreSQL and synthetic SSH hosts (bench/synthetic): the built
 * `fleet run --shards` submits, three `fleet worker` processes take the shards, one is SIGKILLed in
 * the middle of a shard. Its shard's lease runs out (short leases and a 1 s maintenance interval here),
 * pg-boss hands it to another worker, and the run still ends with exactly one result per host. A shard
 * that can never run (a host gone from the inventory) is dead-lettered and its hosts are `unaudited`.
 * Needs `npm run build` (fleet and the synthetic responders run from dist/).
 */
import type { ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyntheticFleet } from '../../../bench/synthetic/synthetic-fleet.js';
import { fleet, type CliResult } from '../../helpers/cli.js';
import { startPostgres, type TestPostgres } from '../../helpers/postgres.js';

const HOSTS = 300;

let syn: SyntheticFleet;
let server: TestPostgres;
let tmp: string;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'fleet-shards-'));
  // A little latency per exec so that a shard takes long enough to be killed in the middle of.
  [syn, server] = await Promise.all([SyntheticFleet.up({ count: HOSTS, net: 93, delayMs: 400 }), startPostgres()]);
});

afterAll(async () => {
  await syn?.down();
  server?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

interface Worker {
  readonly child: Promise<ChildProcess>;
  readonly done: Promise<CliResult>;
  stderr(): string;
}

/** A `fleet worker` with test-sized timings; its stderr is readable while it runs. */
function startWorker(url: string, extra: string[] = []): Worker {
  let resolveChild!: (c: ChildProcess) => void;
  const child = new Promise<ChildProcess>((r) => (resolveChild = r));
  let err = '';
  const done = fleet(['worker', '--db', url, '--concurrency', '2', '--poll-interval', '0.2', '--maintenance-interval', '1', ...extra], {
    cwd: tmp,
    timeoutMs: 120_000,
    onStart: (c) => {
      c.stderr?.on('data', (d) => (err += String(d)));
      resolveChild(c);
    },
  });
  return { child, done, stderr: () => err };
}

async function until(what: string, pred: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const runArgs = (url: string, inventory: string, extra: string[]) => [
  'run',
  'health-check',
  '-i',
  inventory,
  '--known-hosts',
  syn.knownHostsPath,
  '--db',
  url,
  '--forks',
  '25',
  ...extra,
];

describe('sharded runs across worker processes', () => {
  it('a worker SIGKILLed mid-shard loses no host: the shard is re-run once, one result row per host', async () => {
    const url = await server.createDatabase('shards_kill');
    const workers = [startWorker(url), startWorker(url), startWorker(url)];
    // 12 shards of 25; a 12 s lease: far above a shard's normal ~2-4 s, short enough for a test.
    const submit = fleet(runArgs(url, syn.inventoryPath, ['--shard-size', '25', '--shard-lease', '12', '--json']), {
      cwd: tmp,
      timeoutMs: 120_000,
    });
    // Kill the first worker to start a shard, while the shard runs.
    let victim = -1;
    await until('a worker to start a shard', () => {
      victim = workers.findIndex((w) => /attempt 1, 25 host/.test(w.stderr()));
      return victim >= 0;
    });
    await new Promise((r) => setTimeout(r, 300));
    (await workers[victim]!.child).kill('SIGKILL');
    const victimLog = workers[victim]!.stderr();
    const victimName = /fleet worker (\S+): started/.exec(victimLog)?.[1];
    const killedShards = [...victimLog.matchAll(/run (\d+) shard (\d+): attempt 1/g)].map((m) => Number(m[2]));

    const r = await submit;
    if (process.env.SHARDS_DEBUG) console.log(r.stderr, workers.map((w) => w.stderr()).join('\n----\n'));
    for (const [i, w] of workers.entries()) if (i !== victim) (await w.child).kill('SIGTERM');
    const ended = await Promise.all(workers.map((w) => w.done));
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect([0, 2]).toContain(r.code); // 2: the synthetic fleet's 10% faulty hosts
    const doc = JSON.parse(r.stdout) as { run_id: number; status: string; hosts: Record<string, { status: string }> };
    expect(doc.status).toBe('completed');
    expect(Object.keys(doc.hosts)).toHaveLength(HOSTS);
    expect(Object.values(doc.hosts).filter((h) => h.status === 'unreachable' || h.status === 'skipped')).toEqual([]);
    for (const [i, e] of ended.entries()) if (i !== victim) expect(e.code, workers[i]!.stderr()).toBe(0);

    const db = 'shards_kill';
    const one = async (sql: string) => Number(Object.values((await server.query(sql, [doc.run_id], db))[0] ?? {})[0]);
    expect(await one('SELECT COUNT(*) FROM run_hosts WHERE run_id = $1')).toBe(HOSTS);
    expect(await one('SELECT COUNT(DISTINCT host) FROM run_hosts WHERE run_id = $1')).toBe(HOSTS);
    expect(await one(`SELECT COUNT(*) FROM run_hosts WHERE run_id = $1 AND status IN ('skipped', 'unaudited')`)).toBe(0);
    expect(await one('SELECT COUNT(*) FROM facts WHERE run_id = $1')).toBe(HOSTS);
    // No host's checks or steps recorded twice (the killed attempt's rows were cleared by the retry).
    expect(
      await one('SELECT COUNT(*) FROM (SELECT host, check_id FROM check_results WHERE run_id = $1 GROUP BY 1, 2 HAVING COUNT(*) > 1) d'),
    ).toBe(0);
    expect(await one('SELECT COUNT(*) FROM (SELECT host, step_id FROM steps WHERE run_id = $1 GROUP BY 1, 2 HAVING COUNT(*) > 1) d')).toBe(
      0,
    );
    const shards = await server.query<{ shard: number; state: string; attempt: number; worker: string }>(
      'SELECT shard, state, attempt, worker FROM run_shards WHERE run_id = $1 ORDER BY shard',
      [doc.run_id],
      db,
    );
    expect(shards).toHaveLength(12);
    expect(shards.every((s) => s.state === 'done')).toBe(true);
    // The killed worker's unfinished shards ran exactly once more, by another worker; every other
    // shard once (one the victim settled just before it died stays its attempt 1).
    const rerun = shards.filter((s) => killedShards.includes(s.shard) && s.worker !== victimName);
    expect(rerun.length).toBeGreaterThan(0);
    for (const s of shards) expect(s.attempt, `shard ${s.shard}`).toBe(rerun.includes(s) ? 2 : 1);
    // Fleet-wide checks ran once, over the whole run.
    expect(await one('SELECT COUNT(DISTINCT check_id) FROM fleet_checks WHERE run_id = $1')).toBeGreaterThan(0);
    expect(await one('SELECT COUNT(*) - COUNT(DISTINCT check_id) FROM fleet_checks WHERE run_id = $1 AND status = $$pass$$')).toBe(0);
  }, 120_000);

  it('a shard that always fails is dead-lettered: its hosts are unaudited, with the reason', async () => {
    const url = await server.createDatabase('shards_dead');
    // A private copy of the inventory: the worker will not find one host of the second shard in it.
    const inv = path.join(tmp, 'inventory-dead');
    cpSync(syn.inventoryPath, inv, { recursive: true });
    const submit = await fleet(
      runArgs(url, inv, ['--limit', 'dc1_rack001', '--shard-size', '20', '--shard-retries', '1', '--shard-lease', '30', '--detach']),
      { cwd: tmp },
    );
    expect(submit.code, submit.stderr).toBe(0);
    const runId = Number(submit.stdout.trim());
    const [{ hosts }] = (await server.query<{ hosts: string }>(
      'SELECT hosts FROM run_shards WHERE run_id = $1 AND shard = 2',
      [runId],
      'shards_dead',
    )) as [{ hosts: string }];
    const doomed = JSON.parse(hosts) as string[];
    const gone = doomed[5]!;
    const file = path.join(inv, 'hosts');
    writeFileSync(
      file,
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => !l.startsWith(`${gone} `))
        .join('\n'),
    );

    const w = startWorker(url, ['--exit-when-idle', '10']);
    const ended = await w.done;
    expect(ended.code, w.stderr()).toBe(0);
    expect(w.stderr()).toMatch(/shard 2: attempt 2 failed/);

    const rows = await server.query<{ host: string; status: string; reason: string | null }>(
      'SELECT host, status, reason FROM run_hosts WHERE run_id = $1 ORDER BY host',
      [runId],
      'shards_dead',
    );
    expect(rows).toHaveLength(40);
    const unaudited = rows.filter((r) => r.status === 'unaudited');
    expect(unaudited.map((r) => r.host).sort()).toEqual([...doomed].sort());
    for (const r of unaudited) {
      expect(r.reason).toMatch(/^shard 2 dead-lettered after 2 attempt\(s\): /);
      expect(r.reason).toContain(`host ${gone} of this shard is no longer in the inventory`);
    }
    const [run] = await server.query<{ status: string }>('SELECT status FROM runs WHERE id = $1', [runId], 'shards_dead');
    expect(run?.status).toBe('failed');

    // `fleet show` and the exit code see them: unaudited counts as failed.
    const show = await fleet(['show', String(runId), '--db', url], { cwd: tmp });
    expect(show.stdout + show.stderr).toContain('unaudited');
  }, 120_000);

  it('--shard-by tags shards with inventory groups; a worker with --tags takes only those', async () => {
    const url = await server.createDatabase('shards_tags');
    const submit = await fleet(
      runArgs(url, syn.inventoryPath, ['--limit', 'dc1_rack001,dc4_rack008', '--shard-size', '20', '--shard-by', 'dc', '--detach']),
      { cwd: tmp },
    );
    expect(submit.code, submit.stderr).toBe(0);
    const runId = Number(submit.stdout.trim());
    const tagged = await server.query<{ group_name: string; n: string }>(
      'SELECT group_name, COUNT(*) AS n FROM run_shards WHERE run_id = $1 GROUP BY 1 ORDER BY 1',
      [runId],
      'shards_tags',
    );
    expect(tagged).toHaveLength(2);
    const [first, second] = tagged.map((t) => t.group_name) as [string, string];
    expect(first.startsWith('dc1')).toBe(true);
    expect(second.startsWith('dc4')).toBe(true);

    const w = startWorker(url, ['--tags', first, '--exit-when-idle', '10']);
    expect((await w.done).code, w.stderr()).toBe(0);
    const states = await server.query<{ group_name: string; state: string }>(
      'SELECT DISTINCT group_name, state FROM run_shards WHERE run_id = $1 ORDER BY 1',
      [runId],
      'shards_tags',
    );
    expect(states).toEqual([
      { group_name: first, state: 'done' },
      { group_name: second, state: 'queued' },
    ]);
  }, 60_000);

  it('refuses --shards on SQLite and with serial plays, in one line', async () => {
    const r = await fleet(['run', 'health-check', '-i', syn.inventoryPath, '--db', path.join(tmp, 'x.db'), '--shards', '2'], { cwd: tmp });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--shards/--shard-size need a PostgreSQL store');

    const pb = path.join(tmp, 'serial.yml');
    writeFileSync(
      pb,
      '- name: ramp\n  hosts: all\n  serial: 10\n  gather_facts: true\n  tasks:\n    - { name: bridge exists, check: bridge.exists }\n',
    );
    const url = await server.createDatabase('shards_refuse');
    const s = await fleet(['run', pb, '-i', syn.inventoryPath, '--db', url, '--shards', '2'], { cwd: tmp });
    expect(s.code, s.stderr).toBe(1);
    expect(s.stderr).toMatch(/uses serial:.*without --shards/);
  }, 60_000);
});
