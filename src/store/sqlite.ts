/**
 * The SQLite results store: the ONLY module in fleet that imports sqlite3.
 *
 * Connection settings and why: WAL so a daemon and a CLI can read while the other writes;
 * busy_timeout so a writer waits for the lock instead of failing; synchronous=NORMAL because in WAL
 * mode it survives a crashed or killed process (only an OS crash/power loss can lose the last
 * commits) at a fraction of FULL's fsyncs; foreign keys on so deleting a run removes its rows.
 */
import sqlite3 from 'sqlite3';
import { storeErrorFrom, StoreError } from './errors.js';
import { existsSync, statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { createPrivateFile, tightenDbFile, tightenSidecars } from './file-mode.js';
import { checkReadable, migrate } from './migrate.js';
import type { RunInfo, SqlDb, SqlValue } from './sql-db.js';
import { storeOver, type SqlRunStore, type StoreOptions } from './sql-run-store.js';

/** The SQLite store is the SQL store over an SQLite connection; the name stays for its many callers. */
export { SqlRunStore as SqliteRunStore, type StoreOptions } from './sql-run-store.js';
export { looseModeWarning } from './file-mode.js';

/** Where results go unless told otherwise: `$FLEET_DB`, else `./fleet.db` (an empty FLEET_DB counts as unset). */
export function defaultDbPath(): string {
  return process.env['FLEET_DB'] || './fleet.db';
}

export interface SqliteOpenOptions extends StoreOptions {
  /** How long a write waits for another process's lock before failing (default 5000 ms). */
  readonly busyTimeoutMs?: number;
  /** The read-only command opening the store, for messages (`fleet report`: "report"). */
  readonly command?: string;
}

/** A prepared statement and the calls waiting on it (failed prepares never call them back). */
interface Prepared {
  readonly st: sqlite3.Statement;
  readonly waiting: Set<(err: unknown) => void>;
}

/** sqlite3 behind the SqlDb interface. Statements are prepared once per SQL text and reused. */
class SqliteConnection implements SqlDb {
  // IMMEDIATE takes the write lock up front, so busy_timeout applies there instead of failing at the
  // first INSERT when another process (daemon + CLI) holds it.
  readonly beginWrite = 'BEGIN IMMEDIATE';
  readonly dialect = 'sqlite';
  private readonly statements = new Map<string, Prepared>();

  constructor(
    readonly file: string,
    private readonly raw: sqlite3.Database,
  ) {
    // Serialized mode: Database-level calls (exec BEGIN/COMMIT, prepare) run one at a time in issue
    // order. It does NOT order calls queued on two different statements; callers await where order matters.
    raw.serialize();
  }

  private prepared(sql: string): Prepared {
    let p = this.statements.get(sql);
    if (p === undefined) {
      const waiting = new Set<(err: unknown) => void>();
      // Prepared synchronously (queued in order). sqlite3 never calls back the calls queued on a
      // statement whose prepare failed, so we reject them ourselves.
      const st = this.raw.prepare(sql, (err: Error | null) => {
        if (!err) return;
        this.statements.delete(sql);
        for (const reject of waiting) reject(storeErrorFrom(this.file, err));
      });
      p = { st, waiting };
      this.statements.set(sql, p);
    }
    return p;
  }

  /** Calls `op` on the statement for `sql`, settling exactly once even if preparing it fails. */
  private call<T>(sql: string, op: (st: sqlite3.Statement, done: (err: Error | null, value?: T) => void) => void): Promise<T> {
    const { st, waiting } = this.prepared(sql);
    return new Promise<T>((resolve, reject) => {
      waiting.add(reject);
      op(st, (err, value) => {
        waiting.delete(reject);
        if (err) reject(storeErrorFrom(this.file, err));
        else resolve(value as T);
      });
    });
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<RunInfo> {
    return this.call<RunInfo>(sql, (st, done) =>
      st.run(params, function (this: sqlite3.RunResult, err: Error | null) {
        done(err, err ? undefined : { changes: this.changes });
      }),
    );
  }

  all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.call<T[]>(sql, (st, done) => st.all<T>(params, (err: Error | null, rows: T[]) => done(err, rows)));
  }

  async get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    // all() rather than get(): sqlite3's get() leaves the statement open (and the read lock held) until reset.
    return (await this.all<T>(sql, params))[0];
  }

  exec(sql: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.raw.exec(sql, (err: Error | null) => (err ? reject(storeErrorFrom(this.file, err)) : resolve()));
    });
  }

  async close(): Promise<void> {
    const finalizing = [...this.statements.values()].map(({ st }) => new Promise<void>((resolve) => st.finalize(() => resolve())));
    this.statements.clear();
    await Promise.all(finalizing);
    await new Promise<void>((resolve, reject) => {
      this.raw.close((err: Error | null) => (err ? reject(storeErrorFrom(this.file, err)) : resolve()));
    });
  }
}

/**
 * Switches the file to WAL (a no-op once it is: the mode is persistent). Also the first statement that
 * reads the file, so a non-SQLite file fails here with SQLITE_NOTADB. Switching needs an exclusive lock
 * and SQLite does NOT run the busy handler for it, so when two processes open a brand-new file at once
 * the loser gets SQLITE_BUSY (or its old mode back): retry until the busy timeout.
 */
async function enableWal(conn: SqlDb, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    let mode: string | undefined;
    try {
      mode = (await conn.get<{ journal_mode: string }>('PRAGMA journal_mode = WAL'))?.journal_mode;
    } catch (err) {
      if ((err as StoreError).code !== 'FLEET_STORE_BUSY' || Date.now() >= deadline) throw err;
    }
    if (mode === 'wal') return;
    if (mode !== undefined && mode !== 'delete' && mode !== 'truncate' && mode !== 'persist') {
      // memory/off: SQLite refused WAL for this file (e.g. it cannot create the -shm next to it).
      throw new StoreError(conn.file, `cannot use WAL journal mode (got ${mode}; network filesystem?)`);
    }
    if (Date.now() >= deadline) {
      throw new StoreError(conn.file, 'database stayed locked by another fleet process (switching to WAL)', 'FLEET_STORE_BUSY');
    }
    await new Promise((r) => setTimeout(r, Math.min(100, 5 * attempt)));
  }
}

/** Opens (creating with mode 0600 if needed) a tuned connection; does not migrate. Tests use it directly. */
export async function openSqlDb(path: string, opts: Pick<SqliteOpenOptions, 'busyTimeoutMs'> = {}): Promise<SqlDb> {
  // SQLite gives these names special meanings (private in-memory / temporary databases) that cannot be
  // shared with another process or survive a crash; we would also create a stray file called ":memory:".
  if (path === '' || path === ':memory:' || path.startsWith('file:')) {
    throw new StoreError(path || '""', 'needs a plain file path for the results database', 'FLEET_STORE_CANTOPEN');
  }
  if (!createPrivateFile(path)) tightenDbFile(path);
  // No OPEN_CREATE: the file exists now, created by us with the right mode, never by SQLite's defaults.
  const conn = await connect(path, sqlite3.OPEN_READWRITE);
  try {
    const busy = busyTimeout(opts);
    await conn.exec(`PRAGMA busy_timeout = ${busy}`); // first: everything after may wait for a lock
    await conn.exec('PRAGMA foreign_keys = ON');
    await enableWal(conn, busy);
    await conn.exec('PRAGMA synchronous = NORMAL');
    // 16 MiB page cache (default 2 MiB): a 10 000-record batch touches the table and three indexes;
    // with the small default, pages spill mid-transaction (measured ~30% slower writer).
    await conn.exec('PRAGMA cache_size = -16384');
  } catch (err) {
    await conn.close().catch(() => undefined);
    throw err instanceof TypeError ? err : storeErrorFrom(path, err);
  }
  tightenSidecars(path);
  return conn;
}

function busyTimeout(opts: Pick<SqliteOpenOptions, 'busyTimeoutMs'>): number {
  const busy = opts.busyTimeoutMs ?? 5000;
  if (!Number.isSafeInteger(busy) || busy < 0) throw new TypeError(`store: invalid busyTimeoutMs ${busy}`);
  return busy;
}

/** Opens `target` (a path, or a file: URI) with the sqlite3 `mode` flags; `path` names it in errors. */
function connect(path: string, mode: number, target: string = path): Promise<SqliteConnection> {
  return new Promise<SqliteConnection>((resolve, reject) => {
    const db: sqlite3.Database = new sqlite3.Database(target, mode, (err: Error | null) =>
      err ? reject(storeErrorFrom(path, err)) : resolve(new SqliteConnection(path, db)),
    );
  });
}

/**
 * A connection that cannot write: no file created, no journal mode switched, nothing tuned on disk.
 * Reading a WAL database still needs its -shm index; where that cannot be created (a read-only
 * mount, a directory of another user) and no -wal holds results not yet merged, the main file IS the
 * whole database and is opened immutable (SQLite then neither locks nor looks for -shm).
 */
export async function openSqlDbReadOnly(path: string, opts: Pick<SqliteOpenOptions, 'busyTimeoutMs'> = {}): Promise<SqlDb> {
  if (path === '' || path === ':memory:' || path.startsWith('file:')) {
    throw new StoreError(path || '""', 'needs a plain file path for the results database', 'FLEET_STORE_CANTOPEN');
  }
  if (!existsSync(path))
    throw new StoreError(path, 'no results database here yet (fleet run or fleet exec creates it)', 'FLEET_STORE_MISSING');
  const busy = busyTimeout(opts);
  let conn: SqliteConnection | undefined;
  try {
    conn = await connect(path, sqlite3.OPEN_READONLY);
    await conn.exec(`PRAGMA busy_timeout = ${busy}`);
    await conn.get('PRAGMA user_version'); // the first read: opens the WAL index, or fails to
    return conn;
  } catch (err) {
    await conn?.close().catch(() => undefined);
    const code = (err as StoreError).code;
    if ((code !== 'FLEET_STORE_READONLY' && code !== 'FLEET_STORE_CANTOPEN') || walHasContent(path)) throw storeErrorFrom(path, err);
  }
  const uri = `file:${encodeURI(resolvePath(path)).replace(/[?#]/g, encodeURIComponent)}?immutable=1`;
  return connect(path, sqlite3.OPEN_READONLY | sqlite3.OPEN_URI, uri);
}

function walHasContent(path: string): boolean {
  try {
    return statSync(`${path}-wal`).size > 0;
  } catch {
    return false;
  }
}

/**
 * Opens the results store at `path`, upgrading its schema in place if it is older than this fleet.
 * Fails with a one-line StoreError for a non-SQLite file, another program's database, or a newer schema.
 * Read-only commands use openSqliteStoreReadOnly instead.
 */
export async function openSqliteStore(path: string = defaultDbPath(), opts: SqliteOpenOptions = {}): Promise<SqlRunStore> {
  return storeOver(await openSqlDb(path, opts), opts, migrate, (err) => storeErrorFrom(path, err));
}

/**
 * Opens the store for reading only (runs, show, report, diff, export, serve): nothing in the file
 * or its mode changes, so a DB the user cannot write still works. A DB of an older schema is not
 * upgraded (that is a write) but refused with what to run; a missing or empty one is an error.
 */
export async function openSqliteStoreReadOnly(path: string = defaultDbPath(), opts: SqliteOpenOptions = {}): Promise<SqlRunStore> {
  const db = await openSqlDbReadOnly(path, opts);
  return storeOver(
    db,
    opts,
    (d) => checkReadable(d, opts.command ?? 'this command'),
    (err) => storeErrorFrom(path, err),
  );
}
