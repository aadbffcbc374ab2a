/**
 * Multi-row INSERTs. Each statement is one round trip into the driver and, while the run keeps the
 * event loop busy, one wait for a turn of it: with 64 rows per statement a 3,000-host run needed
 * ~2,600 sequential round trips and its writer fell a minute behind. So a statement carries as many
 * rows as fit in 16,384 bound parameters (SQLite allows 32,766, PostgreSQL 65,535), up to 1,024 rows,
 * and the remainder goes in power-of-two chunks: at most 11 distinct statements per table, each
 * prepared once.
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

/** Inserts `rows` in order and returns when all are done. */
export async function insertRows(db: SqlDb, spec: TableSpec, rows: readonly (readonly SqlValue[])[]): Promise<void> {
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
