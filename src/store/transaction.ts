/** Transactions: `fn` commits as a whole or, on any error, not at all (rolled back, error rethrown). */
import type { SqlDb } from './sql-db.js';

/** One write transaction (SQLite takes its write lock at BEGIN, so a writer never has to upgrade). */
export function inWriteTransaction<T>(db: SqlDb, fn: () => Promise<T>): Promise<T> {
  return inTransaction(db, db.beginWrite, fn);
}

/** A transaction opened with `begin` (a plain BEGIN for a consistent read). */
export async function inTransaction<T>(db: SqlDb, begin: string, fn: () => Promise<T>): Promise<T> {
  await db.exec(begin);
  try {
    const result = await fn();
    await db.exec('COMMIT');
    return result;
  } catch (err) {
    await db.exec('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** `?, ?, …` for an IN list of `n` values. */
export const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(', ');
