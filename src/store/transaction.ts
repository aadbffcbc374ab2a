/** One write transaction: `fn` commits as a whole or, on any error, not at all (rolled back, error rethrown). */
import type { SqlDb } from './sql-db.js';

export async function inWriteTransaction<T>(db: SqlDb, fn: () => Promise<T>): Promise<T> {
  await db.exec(db.beginWrite);
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
