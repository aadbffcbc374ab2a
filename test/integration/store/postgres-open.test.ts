/**
 * Opening a PostgreSQL store: URL forms, migrations (from an empty database, from v1, concurrently,
 * atomically), refusing foreign or newer databases, and one-line errors that never show the password.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError } from '../../../src/store/errors.js';
import { SCHEMA_VERSION } from '../../../src/store/migrations.js';
import { openRunStore } from '../../../src/store/open.js';
import { MIGRATIONS_TABLE, migratePostgres } from '../../../src/store/postgres-migrate.js';
import { PG_MIGRATIONS } from '../../../src/store/postgres-migrations.js';
import { openPgDb } from '../../../src/store/postgres.js';
import type { SqlDb } from '../../../src/store/sql-db.js';
import { fillV1, V1_CONTENT } from '../../fixtures/store/make-v1-db.js';
import { startPostgres, type TestPostgres } from '../../helpers/postgres.js';
import { newRun, step } from './helpers.js';

let server: TestPostgres;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(() => server?.stop());

async function withDb<T>(url: string, fn: (db: SqlDb) => Promise<T>): Promise<T> {
  const db = await openPgDb(url);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** The rejection of `p`: a one-line StoreError that does not contain the password. */
async function storeError(p: Promise<unknown>): Promise<StoreError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoreError);
  const e = err as StoreError;
  expect(e.message).not.toContain('\n');
  expect(e.message).not.toContain(server.password);
  expect(e.file).not.toContain(server.password);
  return e;
}

/** Tables, columns, constraints and indexes of the current schema, comparable across databases. */
async function schemaOf(url: string): Promise<string[]> {
  return withDb(url, async (db) => {
    const cols = await db.all<{ d: string }>(
      `SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || COALESCE(collation_name, '') AS d
       FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY 1`,
    );
    const idx = await db.all<{ d: string }>('SELECT indexdef AS d FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1');
    const cons = await db.all<{ d: string }>(
      `SELECT conrelid::regclass::text || ' ' || pg_get_constraintdef(oid) AS d FROM pg_constraint
       WHERE connamespace = current_schema()::regnamespace ORDER BY 1`,
    );
    return [...cols, ...idx, ...cons].map((r) => r.d);
  });
}

const versions = (url: string) =>
  withDb(url, (db) => db.all<{ version: number }>(`SELECT version FROM ${MIGRATIONS_TABLE} ORDER BY version`));

describe('PostgreSQL store: opening and migrating', () => {
  it('creates the whole schema in an empty database, and reopening changes nothing', async () => {
    const url = await server.createDatabase();
    const store = await openRunStore(url);
    expect(store.file).toBe(url.replace(encodeURIComponent(server.password), '********'));
    const id = await store.startRun(newRun());
    store.recordStep(id, 'hv01', step(1));
    store.finishRun(id, 'completed', 1_700_000_000_999);
    await store.close();
    expect(await versions(url)).toEqual(PG_MIGRATIONS.map((m) => ({ version: m.version })));
    expect(PG_MIGRATIONS.length).toBe(SCHEMA_VERSION); // the two backends' versions move together

    const before = await schemaOf(url);
    const again = await openRunStore(url);
    expect(await again.getRun(id)).toMatchObject({ status: 'completed', finishedAt: 1_700_000_000_999 });
    expect((await again.getSteps(id)).map((s) => s.stepId)).toEqual(['1.1']);
    await again.close();
    expect(await schemaOf(url)).toEqual(before);
    expect(await versions(url)).toHaveLength(SCHEMA_VERSION);
  });

  it('keeps its tables in the schema the URL selects (options=-c search_path=…)', async () => {
    const url = await server.createSchema();
    await (await openRunStore(url)).close();
    await withDb(url, async (db) => {
      const schema = (await db.get<{ s: string }>('SELECT current_schema() AS s'))!.s;
      expect(schema).toMatch(/^s\d+_\d+$/);
      const where = await db.all<{ table_schema: string }>(
        "SELECT DISTINCT table_schema FROM information_schema.tables WHERE table_name IN ('runs', 'steps', 'fleet_schema_migrations')",
      );
      expect(where).toEqual([{ table_schema: schema }]);
    });
  });

  it('accepts libpq-style socket URLs: ?host=/dir and a percent-encoded host', async () => {
    const url = await server.createDatabase('by_socket');
    const encodedHost = `postgresql://${server.user}:${encodeURIComponent(server.password)}@${encodeURIComponent(server.socketDir)}/by_socket`;
    for (const u of [url, encodedHost]) {
      const store = await openRunStore(u);
      await store.startRun(newRun());
      await store.close();
    }
    await withDb(url, async (db) => expect(await db.get('SELECT COUNT(*) AS n FROM runs')).toEqual({ n: 2 }));
  });

  it('upgrades a v1 database in place, keeping its data, to exactly the schema of a fresh one', async () => {
    const url = await server.createDatabase('from_v1');
    await withDb(url, async (db) => {
      expect(await migratePostgres(db, { target: 1 })).toEqual({ from: 0, to: 1 });
      await fillV1(db);
      // fillV1 sets run id 1 explicitly, as the v1 fixture does; identity columns do not see that.
      await db.get("SELECT setval(pg_get_serial_sequence('runs', 'id'), 1)");
      expect(await db.all("SELECT table_name FROM information_schema.tables WHERE table_name = 'check_results'")).toEqual([]);
    });

    const store = await openRunStore(url);
    const r = V1_CONTENT.run;
    expect(await store.getRun(1)).toEqual({ id: 1, ...r, hostCounts: { ok: 1, unreachable: 1 } });
    expect(await store.getHosts(1)).toEqual(V1_CONTENT.hosts.map((h) => ({ runId: 1, ...h })));
    expect((await store.getSteps(1)).map((s) => [s.host, s.stepId, s.changed, s.stdout, s.message])).toEqual(
      V1_CONTENT.steps.map((s) => [s.host, s.stepId, s.changed, s.stdout, 'message' in s ? s.message : undefined]),
    );
    expect(await store.getFacts(1, 'hv01')).toEqual(V1_CONTENT.smallFacts.facts);
    expect(await store.getFacts(1, 'hv02')).toEqual(V1_CONTENT.bigFacts.facts);
    // v2 and v3 tables work for the old run and a new one.
    const id = await store.startRun(newRun({ playbook: r.playbook, startedAt: r.startedAt + 3_600_000 }));
    store.recordCheck(1, 'hv01', { id: 'bridge.uplink-enslaved', status: 'fail', severity: 'critical', message: 'eno1 not in vmbr0' });
    store.recordHostGroups(id, 'hv01', ['dc1', 'rack-a', 'dc1']);
    await store.flush();
    expect((await store.getChecks(1)).map((c) => [c.checkId, c.status])).toEqual([['bridge.uplink-enslaved', 'fail']]);
    expect(await store.getHostGroups(id)).toEqual(new Map([['hv01', ['dc1', 'rack-a']]]));
    expect((await store.previousRun(id))?.id).toBe(1);
    await store.close();

    const fresh = await server.createDatabase('fresh_for_v1');
    await (await openRunStore(fresh)).close();
    expect(await schemaOf(url)).toEqual(await schemaOf(fresh));
  });

  it('lets several controllers open the same brand-new database at once: one migrates, all work', async () => {
    for (let round = 0; round < 3; round++) {
      const url = await server.createSchema();
      const opened = await Promise.allSettled([openRunStore(url), openRunStore(url), openRunStore(url), openRunStore(url)]);
      expect(opened.map((o) => (o.status === 'rejected' ? String(o.reason) : 'ok'))).toEqual(['ok', 'ok', 'ok', 'ok']);
      const ids = await Promise.all(
        opened.map((o) => (o as PromiseFulfilledResult<Awaited<ReturnType<typeof openRunStore>>>).value.startRun(newRun())),
      );
      expect(new Set(ids).size).toBe(4);
      await Promise.all(opened.map((o) => (o as PromiseFulfilledResult<Awaited<ReturnType<typeof openRunStore>>>).value.close()));
      expect(await versions(url)).toHaveLength(SCHEMA_VERSION);
    }
  });

  it('applies a failing migration atomically: nothing of it remains and the version is unchanged', async () => {
    const url = await server.createSchema();
    await (await openRunStore(url)).close();
    const broken = [
      ...PG_MIGRATIONS,
      { version: SCHEMA_VERSION + 1, description: 'broken', sql: 'CREATE TABLE half_done (x INTEGER); CREATE TABLE runs (id INTEGER);' },
    ];
    await withDb(url, async (db) => {
      await expect(migratePostgres(db, { migrations: broken })).rejects.toThrow(/relation "runs" already exists/);
      expect(await db.get(`SELECT MAX(version) AS v FROM ${MIGRATIONS_TABLE}`)).toEqual({ v: SCHEMA_VERSION });
      expect(await db.get("SELECT to_regclass('half_done') AS t")).toEqual({ t: null });
    });
  });

  it("refuses a database holding another program's tables of the same names, and leaves it alone", async () => {
    const url = await server.createSchema();
    await withDb(url, (db) => db.exec('CREATE TABLE runs (id serial PRIMARY KEY, athlete text); CREATE TABLE steps (n int)'));
    const e = await storeError(openRunStore(url));
    expect(e.code).toBe('FLEET_STORE_NOT_A_DB');
    expect(e.message).toContain(`is not a fleet database: it has table(s) runs, steps but no ${MIGRATIONS_TABLE}`);
    await withDb(url, async (db) => expect(await db.get("SELECT to_regclass('run_hosts') AS t")).toEqual({ t: null }));
  });

  it('refuses a database written by a newer fleet and leaves it untouched', async () => {
    const url = await server.createSchema();
    await (await openRunStore(url)).close();
    await withDb(url, (db) => db.run(`INSERT INTO ${MIGRATIONS_TABLE} VALUES (?, 'from the future', 0)`, [SCHEMA_VERSION + 5]));
    const e = await storeError(openRunStore(url));
    expect(e.code).toBe('FLEET_STORE_SCHEMA_NEWER');
    expect(e.message).toContain(`was written by a newer fleet (schema ${SCHEMA_VERSION + 5}); this fleet knows up to ${SCHEMA_VERSION}`);
  });

  it('sorts host and group names by bytes, as SQLite does, even in a database with a linguistic collation', async () => {
    await server.query("CREATE DATABASE icu_db TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'");
    const store = await openRunStore(server.url('icu_db'));
    const id = await store.startRun(newRun());
    for (const host of ['a', 'B', '_x', 'A-1']) store.recordHost(id, { host, status: 'ok', reason: null, startedAt: 1, finishedAt: 2 });
    store.recordHostGroups(id, 'a', ['dc-b', 'DC-a', 'dc_c']);
    await store.flush();
    const bytes = (xs: string[]) => [...xs].sort((p, q) => Buffer.compare(Buffer.from(p), Buffer.from(q)));
    expect((await store.getHosts(id)).map((h) => h.host)).toEqual(bytes(['a', 'B', '_x', 'A-1']));
    expect((await store.getHostGroups(id)).get('a')).toEqual(bytes(['dc-b', 'DC-a', 'dc_c']));
    // The database itself would have sorted them otherwise: the column collation is what keeps the order.
    const plain = await server.query<{ x: string }>("SELECT x FROM (VALUES ('a'), ('B'), ('_x')) v(x) ORDER BY x", [], 'icu_db');
    expect(plain.map((r) => r.x)).not.toEqual(bytes(['a', 'B', '_x']));
    await store.close();
  });

  it('stores output holding NUL bytes (PostgreSQL text cannot) instead of losing the whole batch', async () => {
    const store = await openRunStore(await server.createSchema());
    const id = await store.startRun(newRun());
    store.recordStep(id, 'hv01', step(1, { stdout: 'init\0--foreground\0' }));
    store.recordStep(id, 'hv01', step(2));
    await store.flush();
    expect((await store.getSteps(id)).map((s) => s.stdout)).toEqual(['init\u2400--foreground\u2400', 'output 2\n']);
    await store.close();
  });
});

describe('PostgreSQL store: one-line errors that never show the password', () => {
  it('a wrong password', async () => {
    const url = server.url().replace(encodeURIComponent(server.password), 'not-the-password');
    const e = await storeError(openRunStore(url));
    expect(e.message).toMatch(
      /^postgres:\/\/fleet:\*{8}@\/postgres\?host=.*: PostgreSQL refused the login \(password authentication failed/,
    );
    expect(e.message).not.toContain('not-the-password');
  });

  it('no server at that socket', async () => {
    const url = `postgres://fleet:${encodeURIComponent(server.password)}@/postgres?host=/nonexistent-fleet-socket-dir`;
    const e = await storeError(openRunStore(url));
    expect(e.message).toContain('cannot connect: no PostgreSQL server there');
    expect(e.code).toBe('FLEET_STORE_CANTOPEN');
  });

  it('a database that does not exist', async () => {
    const e = await storeError(openRunStore(server.url('no_such_db')));
    expect(e.message).toMatch(/database "no_such_db" does not exist; create it first \(createdb\)$/);
  });

  it('a password given as ?password= is masked too', async () => {
    const url = `postgresql:///no_such_db?host=${encodeURIComponent(server.socketDir)}&user=fleet&password=${encodeURIComponent(server.password)}`;
    const e = await storeError(openRunStore(url));
    expect(e.message).toContain('password=********');
  });
});
