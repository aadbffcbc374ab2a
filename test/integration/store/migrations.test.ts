/** Schema upgrades in place: v1 databases (committed fixture and frozen DDL) reach the current schema with their data. */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate } from '../../../src/store/migrate.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../../src/store/migrations.js';
import type { SqlDb } from '../../../src/store/sql-db.js';
import { openSqlDb, openSqliteStore } from '../../../src/store/sqlite.js';
import { V1_CONTENT, writeV1Database } from '../../fixtures/store/make-v1-db.js';
import { REPO, newRun, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

async function schemaOf(file: string): Promise<string[]> {
  const db = await openSqlDb(file);
  try {
    const rows = await db.all<{ sql: string }>('SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name');
    return rows.map((r) => r.sql.replace(/\s+/g, ' '));
  } finally {
    await db.close();
  }
}

async function withDb<T>(file: string, fn: (db: SqlDb) => Promise<T>): Promise<T> {
  const db = await openSqlDb(file);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** Opens an upgraded v1 database and checks the v1 data and the v2 and v3 tables. */
async function assertUpgraded(file: string): Promise<void> {
  const store = await openSqliteStore(file);
  try {
    expect(await withDbVersion(store.file)).toBe(SCHEMA_VERSION);
    const run = await store.getRun(1);
    const r = V1_CONTENT.run;
    expect(run).toEqual({
      id: 1,
      playbook: r.playbook,
      inventorySources: r.inventorySources,
      limit: r.limit,
      options: r.options,
      controller: r.controller,
      pid: r.pid,
      user: r.user,
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
      status: r.status,
      hostCounts: { ok: 1, unreachable: 1 },
    });
    expect(await store.getHosts(1)).toEqual(V1_CONTENT.hosts.map((h) => ({ runId: 1, ...h })));
    const steps = await store.getSteps(1);
    expect(steps.map((s) => [s.host, s.stepId, s.status, s.changed, s.stdout, s.stderr, s.message])).toEqual(
      V1_CONTENT.steps.map((s) => [s.host, s.stepId, s.status, s.changed, s.stdout, s.stderr, 'message' in s ? s.message : undefined]),
    );
    expect(await store.getFacts(1, 'hv01')).toEqual(V1_CONTENT.smallFacts.facts);
    expect(await store.getFacts(1, 'hv02')).toEqual(V1_CONTENT.bigFacts.facts);

    // The v2 tables work, for the old run and for a new one.
    store.recordCheck(1, 'hv01', { id: 'bridge.uplink-enslaved', status: 'fail', severity: 'critical', message: 'eno1 not in vmbr0' });
    store.recordFleetCheck(1, { id: 'fleet.mtu-consistent', status: 'pass', severity: 'info', message: 'ok', hosts: ['hv01'] });
    const id = await store.startRun(newRun({ playbook: r.playbook, startedAt: r.startedAt + 3_600_000 }));
    store.recordCheck(id, 'hv01', { id: 'bridge.uplink-enslaved', status: 'pass', severity: 'critical', message: 'ok' });
    await store.flush();
    expect((await store.getChecks(1)).map((c) => [c.checkId, c.status])).toEqual([['bridge.uplink-enslaved', 'fail']]);
    expect((await store.getFleetChecks(1)).map((c) => c.id)).toEqual(['fleet.mtu-consistent']);
    expect((await store.previousRun(id))?.id).toBe(1);

    // v3: groups per host; a run recorded before v3 simply has none.
    store.recordHostGroups(id, 'hv01', ['dc1', 'rack-a', 'dc1']);
    store.recordHostGroups(id, 'hv02', []);
    await store.flush();
    expect(await store.getHostGroups(id)).toEqual(new Map([['hv01', ['dc1', 'rack-a']]]));
    expect(await store.getHostGroups(1)).toEqual(new Map());
  } finally {
    await store.close();
  }
}

const withDbVersion = (file: string): Promise<number> =>
  withDb(file, async (db) => (await db.get<{ user_version: number }>('PRAGMA user_version'))!.user_version);

describe('schema migrations', () => {
  it('upgrades the committed v1 fixture (made by v1 code) in place, keeping its data', async () => {
    const file = join(tmp.dir, 'fixture.db');
    copyFileSync(join(REPO, 'test/fixtures/store/fleet-v1.sqlite'), file);
    expect(await withDbVersion(file)).toBe(1);
    await assertUpgraded(file);
  });

  it('upgrades a database built from the frozen v1 DDL in the migrations list', async () => {
    const file = join(tmp.dir, 'frozen.db');
    await writeV1Database(file);
    await withDb(file, async (db) => {
      expect(await db.all("SELECT name FROM sqlite_master WHERE name = 'check_results'")).toEqual([]);
    });
    await assertUpgraded(file);
  });

  it('gives an upgraded v1 database exactly the schema of a fresh one (v1 DDL was not edited)', async () => {
    const upgraded = join(tmp.dir, 'upgraded.db');
    copyFileSync(join(REPO, 'test/fixtures/store/fleet-v1.sqlite'), upgraded);
    await (await openSqliteStore(upgraded)).close();
    const fresh = join(tmp.dir, 'fresh.db');
    await (await openSqliteStore(fresh)).close();
    expect(await schemaOf(upgraded)).toEqual(await schemaOf(fresh));
    expect(await withDbVersion(fresh)).toBe(SCHEMA_VERSION);
  });

  it('has the indexes reports need', async () => {
    const file = join(tmp.dir, 'indexes.db');
    await (await openSqliteStore(file)).close();
    const plan = (sql: string) =>
      withDb(file, async (db) => (await db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)).map((r) => r.detail).join('; '));
    expect(await plan('SELECT * FROM check_results WHERE run_id = 1')).toContain('check_results_by_run_host');
    expect(await plan("SELECT * FROM check_results WHERE host = 'a'")).toContain('check_results_by_host');
    expect(await plan("SELECT * FROM check_results WHERE check_id = 'x'")).toContain('check_results_by_check');
    expect(await plan('SELECT * FROM fleet_checks WHERE run_id = 1')).toContain('fleet_checks_by_run');
    expect(await plan("SELECT * FROM runs WHERE playbook = 'p' ORDER BY started_at DESC")).toContain('runs_by_playbook_started');
    expect(await plan("SELECT * FROM run_hosts WHERE host = 'a'")).toContain('run_hosts_by_host');
    expect(await plan('SELECT * FROM steps WHERE run_id = 1')).toContain('steps_by_run_host');
    expect(await plan("SELECT * FROM steps WHERE host = 'a'")).toContain('steps_by_host');
    expect(await plan("SELECT * FROM runs WHERE status = 'running'")).toContain('runs_by_status');
  });

  it('applies a failing migration atomically: nothing of it remains and the version is unchanged', async () => {
    const file = join(tmp.dir, 'atomic.db');
    await (await openSqliteStore(file)).close();
    const broken = [
      ...MIGRATIONS,
      { version: SCHEMA_VERSION + 1, description: 'broken', sql: 'CREATE TABLE half_done (x INTEGER); CREATE TABLE runs (id INTEGER);' },
    ];
    await withDb(file, async (db) => {
      await expect(migrate(db, { migrations: broken })).rejects.toThrow(/table runs already exists/);
      expect(await db.get('PRAGMA user_version')).toEqual({ user_version: SCHEMA_VERSION });
      expect(await db.all("SELECT name FROM sqlite_master WHERE name = 'half_done'")).toEqual([]);
    });
  });

  it('lets several connections open the same brand-new file at once (WAL switch and first migration race)', async () => {
    // Each round is a new file opened three times concurrently; 40 rounds made both races (SQLite not
    // retrying the WAL switch, and a non-atomic ownership check) show up reliably before they were fixed.
    for (let round = 0; round < 40; round++) {
      const file = join(tmp.dir, `race-${round}.db`);
      const opened = await Promise.allSettled([openSqliteStore(file), openSqliteStore(file), openSqliteStore(file)]);
      await Promise.all(opened.map((o) => (o.status === 'fulfilled' ? o.value.close() : undefined)));
      expect(opened.map((o) => (o.status === 'rejected' ? String(o.reason) : 'ok'))).toEqual(['ok', 'ok', 'ok']);
      expect(await withDbVersion(file)).toBe(SCHEMA_VERSION);
    }
  }, 60_000);
});
