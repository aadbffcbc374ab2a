/** The SQL and values the shared store code produces, made acceptable to PostgreSQL. */
import { describe, expect, it } from 'vitest';
import { pgParams, toPgPlaceholders } from '../../../src/store/postgres-sql.js';

describe('PostgreSQL SQL adaptation', () => {
  it('numbers ? placeholders in order, leaving quoted ones alone', () => {
    expect(toPgPlaceholders('SELECT a FROM t WHERE x = ? AND y IN (?, ?) LIMIT ?')).toBe(
      'SELECT a FROM t WHERE x = $1 AND y IN ($2, $3) LIMIT $4',
    );
    expect(toPgPlaceholders(`SELECT '?', "odd?col", 'it''s ?' FROM t WHERE id = ?`)).toBe(
      `SELECT '?', "odd?col", 'it''s ?' FROM t WHERE id = $1`,
    );
    expect(toPgPlaceholders("UPDATE runs SET status = 'interrupted' WHERE id = ?")).toBe(
      "UPDATE runs SET status = 'interrupted' WHERE id = $1",
    );
  });

  it('replaces NUL in text values (PostgreSQL text cannot hold it) and leaves other values as they are', () => {
    const buf = Buffer.from([0, 1, 2]);
    const out = pgParams(['a\0b\0', 'plain', 7, null, buf]);
    expect(out).toEqual(['a\u2400b\u2400', 'plain', 7, null, buf]);
    expect(out[4]).toBe(buf);
  });
});
