/** Opening fleet.db: file modes, connection pragmas, and clear one-line errors for bad files. */
import { copyFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreError } from '../../../src/store/errors.js';
import { SCHEMA_VERSION } from '../../../src/store/migrations.js';
import { defaultDbPath, openSqlDb, openSqliteStore } from '../../../src/store/sqlite.js';
import { REPO, newRun, step, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const mode = (p: string): number => statSync(p).mode & 0o777;

/** The rejection of `p`, which must be a StoreError with a single-line message. */
async function storeError(p: Promise<unknown>): Promise<StoreError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoreError);
  const e = err as StoreError;
  expect(e.message).not.toContain('\n');
  return e;
}

describe('opening the database', () => {
  it('creates the file and its -wal/-shm with mode 0600 even under a permissive umask', async () => {
    const file = join(tmp.dir, 'modes.db');
    const old = process.umask(0o000);
    try {
      const store = await openSqliteStore(file);
      const id = await store.startRun(newRun());
      store.recordStep(id, 'hv01', step(1));
      await store.flush();
      expect(mode(file)).toBe(0o600);
      expect(mode(`${file}-wal`)).toBe(0o600);
      expect(mode(`${file}-shm`)).toBe(0o600);
      await store.close();
    } finally {
      process.umask(old);
    }
  });

  it('leaves an existing file where it is, and reopens it with its data', async () => {
    const file = join(tmp.dir, 'reopen.db');
    const a = await openSqliteStore(file);
    const id = await a.startRun(newRun());
    await a.close();
    const b = await openSqliteStore(file);
    expect((await b.getRun(id))?.playbook).toBe('health-check');
    await b.close();
  });

  it('uses WAL, synchronous=NORMAL, foreign keys and a busy timeout', async () => {
    const file = join(tmp.dir, 'pragmas.db');
    const db = await openSqlDb(file, { busyTimeoutMs: 1234 });
    try {
      expect(await db.get('PRAGMA journal_mode')).toEqual({ journal_mode: 'wal' });
      expect(await db.get('PRAGMA synchronous')).toEqual({ synchronous: 1 });
      expect(await db.get('PRAGMA foreign_keys')).toEqual({ foreign_keys: 1 });
      expect(await db.get('PRAGMA busy_timeout')).toEqual({ timeout: 1234 });
    } finally {
      await db.close();
    }
  });

  it('refuses a file that is not SQLite with one line naming the file', async () => {
    const file = join(tmp.dir, 'notes.txt');
    writeFileSync(file, 'these are my notes, not a database\n'.repeat(200));
    const e = await storeError(openSqliteStore(file));
    expect(e.message).toBe(`${file}: not a fleet database (the file is not SQLite)`);
    expect(e.code).toBe('FLEET_STORE_NOT_A_DB');
  });

  it("refuses another program's SQLite database instead of migrating into it", async () => {
    const file = join(tmp.dir, 'other.db');
    const db = await openSqlDb(file);
    await db.exec('CREATE TABLE bookmarks (url TEXT)');
    await db.close();
    const e = await storeError(openSqliteStore(file));
    expect(e.message).toBe(`${file}: is an SQLite database of another program, not a fleet database`);
    const check = await openSqlDb(file);
    expect(await check.all("SELECT name FROM sqlite_master WHERE type = 'table'")).toEqual([{ name: 'bookmarks' }]);
    await check.close();
  });

  it('refuses a database written by a newer fleet and leaves it untouched', async () => {
    const file = join(tmp.dir, 'newer.db');
    const s = await openSqliteStore(file);
    await s.startRun(newRun());
    await s.close();
    const raw = await openSqlDb(file);
    await raw.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 5}`);
    await raw.close();

    const e = await storeError(openSqliteStore(file));
    expect(e.message).toBe(
      `${file}: was written by a newer fleet (schema ${SCHEMA_VERSION + 5}); this fleet knows up to ${SCHEMA_VERSION}. ` +
        'Upgrade fleet or point FLEET_DB at another file',
    );
    expect(e.code).toBe('FLEET_STORE_SCHEMA_NEWER');
    const after = await openSqlDb(file);
    expect(await after.get('PRAGMA user_version')).toEqual({ user_version: SCHEMA_VERSION + 5 });
    expect(await after.get('SELECT COUNT(*) AS n FROM runs')).toEqual({ n: 1 });
    await after.close();
  });

  it('says which path cannot be created', async () => {
    const file = join(tmp.dir, 'no-such-dir', 'fleet.db');
    const e = await storeError(openSqliteStore(file));
    expect(e.message).toBe(`${file}: cannot create database (ENOENT)`);
  });

  it("refuses SQLite's special names instead of creating a stray file called :memory:", async () => {
    const e = await storeError(openSqliteStore(':memory:'));
    expect(e.message).toBe(':memory:: needs a plain file path for the results database');
  });

  it('defaults to $FLEET_DB, else ./fleet.db', () => {
    const saved = process.env['FLEET_DB'];
    try {
      delete process.env['FLEET_DB'];
      expect(defaultDbPath()).toBe('./fleet.db');
      process.env['FLEET_DB'] = '/var/lib/fleet/results.db';
      expect(defaultDbPath()).toBe('/var/lib/fleet/results.db');
      process.env['FLEET_DB'] = '';
      expect(defaultDbPath()).toBe('./fleet.db');
    } finally {
      if (saved === undefined) delete process.env['FLEET_DB'];
      else process.env['FLEET_DB'] = saved;
    }
  });

  it('the committed fixture is a v1 fleet.db (tests only ever open copies of it)', async () => {
    const copy = join(tmp.dir, 'fixture-copy.db');
    copyFileSync(join(REPO, 'test/fixtures/store/fleet-v1.sqlite'), copy);
    const db = await openSqlDb(copy);
    expect(await db.get('PRAGMA user_version')).toEqual({ user_version: 1 });
    await db.close();
  });
});
