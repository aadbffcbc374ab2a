/**
 * The two differences between the SQL the shared store code writes and what PostgreSQL accepts, kept
 * driver-free so they are unit-testable: `?` placeholders become `$1…$n`, and text cannot hold U+0000.
 */
import type { SqlValue } from './sql-db.js';

/**
 * Numbers each `?` outside quoted literals and identifiers as `$1`, `$2`… in order. The store's SQL has
 * no `?` operators (jsonb) and no dollar-quoted bodies with parameters, which this would not handle.
 */
export function toPgPlaceholders(sql: string): string {
  let out = '';
  let n = 0;
  let quote: "'" | '"' | null = null;
  for (const ch of sql) {
    if (quote !== null) {
      if (ch === quote) quote = null; // a doubled quote closes and reopens: same result
    } else if (ch === "'" || ch === '"') {
      quote = ch;
    } else if (ch === '?') {
      out += `$${++n}`;
      continue;
    }
    out += ch;
  }
  return out;
}

/**
 * The symbol shown where a NUL was. PostgreSQL text cannot contain U+0000 (SQLite's can); command output
 * sometimes does (/proc/…/cmdline, environ). Replacing it keeps the row instead of failing the whole
 * batch transaction, and the visible ␀ says a byte was there.
 */
export const NUL_STANDIN = '\u2400';

/** Parameters as PostgreSQL can store them: strings without NUL; everything else unchanged. */
export function pgParams(params: readonly SqlValue[]): SqlValue[] {
  return params.map((p) => (typeof p === 'string' && p.includes('\0') ? p.replaceAll('\0', NUL_STANDIN) : p));
}
