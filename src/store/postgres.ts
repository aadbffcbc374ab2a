/**
 * The PostgreSQL results store: the ONLY module in fleet that imports pg (the driver). It puts one
 * connection behind the SqlDb interface, so the store itself (SqlRunStore: queue, batch writer, queries,
 * recovery) is the very code the SQLite store runs; only the schema's migrations are PostgreSQL's own.
 *
 * One connection per store, as with SQLite: SqlRunStore's serial lane keeps reads and startRun() out of
 * a batch transaction, which needs all its statements on one session anyway. Statements with parameters
 * are prepared once per connection by name (the 64-row INSERTs are parsed once, not per batch).
 * Connection URLs: `postgres://` or `postgresql://`, libpq-style `?host=/run/postgresql` for a Unix
 * socket directory; a password is best left out of the URL (pg reads PGPASSWORD and ~/.pgpass).
 */
import pg from 'pg';
import { maskDbTarget } from './db-target.js';
import { migratePostgres } from './postgres-migrate.js';
import { postgresErrorFrom } from './postgres-errors.js';
import { pgParams, toPgPlaceholders } from './postgres-sql.js';
import type { RunInfo, SqlDb, SqlValue } from './sql-db.js';
import { storeOver, type SqlRunStore, type StoreOptions } from './sql-run-store.js';
import { ShardBook } from './shards.js';

const INT8_OID = 20;

/** BIGINT (ids, epoch ms, COUNT(*)) as a JS number: every value fleet stores is a safe integer. */
function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`store: integer ${text} does not fit a JS number`);
  return n;
}

export interface PostgresOpenOptions {
  /** Give up connecting after this long (default 10 000 ms). */
  readonly connectTimeoutMs?: number;
}

interface Prepared {
  readonly name: string;
  readonly text: string;
}

class PgConnection implements SqlDb {
  readonly beginWrite = 'BEGIN';
  readonly dialect = 'postgres';
  private readonly statements = new Map<string, Prepared>();
  /** Set when the connection died between queries (server restart, network): the next call says so. */
  private lost: unknown = undefined;

  constructor(
    /** The URL with its password masked: what error messages show. */
    readonly file: string,
    private readonly target: string,
    private readonly client: pg.Client,
  ) {
    // An idle client that loses its server emits 'error'; unhandled, that would kill the process.
    client.on('error', (err) => (this.lost ??= err));
  }

  private prepared(sql: string): Prepared {
    let p = this.statements.get(sql);
    if (p === undefined) {
      p = { name: `fleet_${this.statements.size + 1}`, text: toPgPlaceholders(sql) };
      this.statements.set(sql, p);
    }
    return p;
  }

  private async query<T extends pg.QueryResultRow>(sql: string, params: readonly SqlValue[]): Promise<pg.QueryResult<T>> {
    if (this.lost !== undefined) throw postgresErrorFrom(this.target, this.lost);
    const { name, text } = this.prepared(sql);
    try {
      return await this.client.query<T>({ name, text, values: pgParams(params) });
    } catch (err) {
      throw postgresErrorFrom(this.target, err);
    }
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<RunInfo> {
    return { changes: (await this.query(sql, params)).rowCount ?? 0 };
  }

  async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return (await this.query<pg.QueryResultRow>(sql, params)).rows as T[];
  }

  async get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  async exec(sql: string): Promise<void> {
    if (this.lost !== undefined) throw postgresErrorFrom(this.target, this.lost);
    try {
      await this.client.query(sql); // simple protocol: several statements allowed
    } catch (err) {
      throw postgresErrorFrom(this.target, err);
    }
  }

  async close(): Promise<void> {
    try {
      await this.client.end();
    } catch (err) {
      if (this.lost === undefined) throw postgresErrorFrom(this.target, err);
    }
  }
}

/** Connects (no migration); tests use it directly. Fails with a one-line StoreError naming the masked URL. */
export async function openPgDb(target: string, opts: PostgresOpenOptions = {}): Promise<SqlDb> {
  const timeout = opts.connectTimeoutMs ?? 10_000;
  if (!Number.isSafeInteger(timeout) || timeout <= 0) throw new TypeError(`store: invalid connectTimeoutMs ${timeout}`);
  let client: pg.Client;
  try {
    client = new pg.Client({ connectionString: target, application_name: 'fleet', connectionTimeoutMillis: timeout });
  } catch (err) {
    // A malformed URL (bad percent-encoding…) fails in the constructor.
    throw postgresErrorFrom(target, err);
  }
  client.setTypeParser(INT8_OID, 'text', parseInt8);
  const conn = new PgConnection(maskDbTarget(target), target, client);
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw postgresErrorFrom(target, err);
  }
  return conn;
}

/**
 * Opens the results store in the PostgreSQL database at `target`, creating or upgrading fleet's tables
 * in its current schema. Fails with a one-line StoreError (masked URL) when the server cannot be
 * reached, refuses the login, or holds another program's tables or a newer fleet's schema.
 */
export async function openPostgresStore(target: string, opts: StoreOptions & PostgresOpenOptions = {}): Promise<SqlRunStore> {
  return storeOver(await openPgDb(target, opts), opts, migratePostgres, (err) => postgresErrorFrom(target, err));
}

/** The shard bookkeeping of sharded runs (store/shards.ts) on its own connection, schema migrated. */
export async function openShardBook(target: string, opts: PostgresOpenOptions = {}): Promise<ShardBook> {
  const db = await openPgDb(target, opts);
  try {
    await migratePostgres(db);
  } catch (err) {
    await db.close().catch(() => undefined);
    throw postgresErrorFrom(target, err);
  }
  return new ShardBook(db);
}
