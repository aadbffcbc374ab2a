/**
 * Multi-row INSERTs. Each statement is one round trip into the driver and, while the run keeps the
 * event loop busy, one wait for a turn of it: with 64 rows per statement a 3,000-host run needed
 * ~2,600 sequential round trips and its writer fell a minute behind. So a statement carries as many
 * rows as fit in 16,384 bound parameters (SQLite allows 32,766, PostgreSQL 65,535), up to 1,024 rows,
 * and the remainder goes in power-of-two chunks: at most 11 distinct statements per table, each
 * prepared once.
 *
 * On SQLite, rows without BLOBs go as ONE parameter instead: a JSON array of rows that SQLite's
 * json_each unpacks. sqlite3 binds each parameter on the main thread at ~1 µs apiece, which was 5% of
 * a 3,000-host run's main thread; JSON.stringify of the same rows costs a fraction of that, and the
 * unpacking happens on the database's own thread.
 */
import type { SqlDb, SqlValue } from './sql-db.js';

export interface TableSpec {
  readonly table: string;
  readonly columns: readonly string[];
  /** Appended after VALUES, e.g. an `ON CONFLICT (…) DO UPDATE SET …` upsert clause. */
  readonly conflict?: string;
}

const MAX_PARAMS = 16_384;
const MAX_ROWS = 1024;
const sqlCache = new Map<string, string>();

function insertSql(spec: TableSpec, rows: number): string {
  const key = `${spec.table}\0${spec.conflict ?? ''}\0${rows}`;
  let sql = sqlCache.get(key);
  if (sql === undefined) {
    const tuple = `(${spec.columns.map(() => '?').join(', ')})`;
    sql = `INSERT INTO ${spec.table} (${spec.columns.join(', ')}) VALUES ${Array(rows).fill(tuple).join(', ')}`;
    if (spec.conflict) sql += ` ${spec.conflict}`;
    sqlCache.set(key, sql);
  }
  return sql;
}

/** Largest power of two ≤ n (n ≥ 1). */
const floorPow2 = (n: number): number => 2 ** Math.floor(Math.log2(n));

/** Rows per full statement: a power of two, so the remainders reuse the same few statement texts. */
const chunkRows = (spec: TableSpec): number => Math.min(MAX_ROWS, floorPow2(Math.floor(MAX_PARAMS / spec.columns.length)));

/** Rows per JSON statement: bounds the size of one JSON text (a check row is well under 1 KB). */
const JSON_ROWS = 1024;
const jsonSqlCache = new Map<string, string>();

function jsonInsertSql(spec: TableSpec): string {
  const key = `${spec.table}\0${spec.conflict ?? ''}`;
  let sql = jsonSqlCache.get(key);
  if (sql === undefined) {
    const values = spec.columns.map((_, i) => `value ->> ${i}`).join(', ');
    // `WHERE true` keeps an upsert's ON CONFLICT from parsing as a join constraint; ORDER BY key keeps
    // the rows (and so their rowids, e.g. step ids) in recording order.
    sql = `INSERT INTO ${spec.table} (${spec.columns.join(', ')}) SELECT ${values} FROM json_each(?) WHERE true ORDER BY key`;
    if (spec.conflict) sql += ` ${spec.conflict}`;
    jsonSqlCache.set(key, sql);
  }
  return sql;
}

/** JSON carries strings, numbers and null faithfully (->> gives TEXT, INTEGER/REAL, NULL); a BLOB it cannot. */
const jsonSafe = (rows: readonly (readonly SqlValue[])[]): boolean => rows.every((r) => r.every((v) => !Buffer.isBuffer(v)));

/** Inserts `rows` in order and returns when all are done. */
export async function insertRows(db: SqlDb, spec: TableSpec, rows: readonly (readonly SqlValue[])[]): Promise<void> {
  if (db.dialect === 'sqlite' && jsonSafe(rows)) {
    for (let i = 0; i < rows.length; i += JSON_ROWS) await db.run(jsonInsertSql(spec), [JSON.stringify(rows.slice(i, i + JSON_ROWS))]);
    return;
  }
  for (let i = 0; i < rows.length;) {
    const n = Math.min(chunkRows(spec), floorPow2(rows.length - i));
    const params: SqlValue[] = [];
    for (let j = i; j < i + n; j++) params.push(...(rows[j] as readonly SqlValue[]));
    // Awaited one by one: sqlite3 queues calls per statement, so two different statements (the full
    // and the remainder one) issued together can run out of order, and step ids must follow recording
    // order. With statements this large there are few waits.
    await db.run(insertSql(spec, n), params);
    i += n;
  }
}
