import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { insertRows, type TableSpec } from '../../../src/store/bulk-insert.js';
import type { SqlDb, SqlValue } from '../../../src/store/sql-db.js';
import { openSqlDb } from '../../../src/store/sqlite.js';

const T: TableSpec = { table: 't', columns: ['k', 'txt', 'n', 'r', 'b'] };
const UPSERT: TableSpec = { table: 'u', columns: ['k', 'v'], conflict: 'ON CONFLICT (k) DO UPDATE SET v = excluded.v' };

let dir: string;
let db: SqlDb;
beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-bulk-'));
  db = await openSqlDb(path.join(dir, 'b.db'));
  await db.exec(
    'CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT, txt TEXT, n INTEGER, r REAL, b BLOB); CREATE TABLE u (k TEXT PRIMARY KEY, v TEXT)',
  );
});
afterEach(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

type Row = { k: string; txt: string | null; n: number | null; r: number | null; b: Buffer | null };
const read = () => db.all<Row>('SELECT k, txt, n, r, b FROM t ORDER BY id');

describe('insertRows on SQLite', () => {
  it('stores every kind of value exactly as given, whichever way the rows travel', async () => {
    const texty: SqlValue[][] = [
      ['1', 'a\u0000b', 1_733_240_000_123, 0.25, null],
      ['2', '007', -3, 1e-9, null],
      ['3', 'null', 9_007_199_254_740_991, null, null],
      ['4', '{"json":"as text"} é 😀 "quotes" \\ \n\t', 0, -0.5, null],
      ['5', '', null, 12, null],
    ];
    await insertRows(db, T, texty); // no BLOB: one JSON parameter
    await insertRows(db, T, [['6', 'blob row', 1, 1.5, Buffer.from([0, 255, 7])]]); // a BLOB: bound one by one
    const rows = await read();
    expect(rows.map((r) => [r.k, r.txt, r.n, r.r, r.b])).toEqual([...texty, ['6', 'blob row', 1, 1.5, Buffer.from([0, 255, 7])]]);
    expect((await db.all<{ t: string }>('SELECT typeof(n) AS t FROM t WHERE k = ?', ['1']))[0]?.t).toBe('integer');
    expect((await db.all<{ t: string }>('SELECT typeof(txt) AS t FROM t WHERE k = ?', ['2']))[0]?.t).toBe('text');
  });

  it('keeps recording order (rowids) across more rows than one statement carries', async () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => [String(i), `row ${i}`, i, null, null] as SqlValue[]);
    await insertRows(db, T, rows);
    const got = await db.all<{ k: string }>('SELECT k FROM t ORDER BY id');
    expect(got.map((r) => r.k)).toEqual(rows.map((r) => r[0]));
  });

  it('applies an upsert clause: the last value for a key wins', async () => {
    await insertRows(db, UPSERT, [
      ['a', 'first'],
      ['b', 'only'],
    ]);
    await insertRows(db, UPSERT, [['a', 'second']]);
    expect(await db.all('SELECT k, v FROM u ORDER BY k')).toEqual([
      { k: 'a', v: 'second' },
      { k: 'b', v: 'only' },
    ]);
  });
});
