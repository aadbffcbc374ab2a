/**
 * Picks the store backend from what `--db` / `FLEET_DB` names: a `postgres://` or `postgresql://` URL
 * opens the PostgreSQL store, anything else is an SQLite file path (the embedded default).
 */
import path from 'node:path';
import { isPostgresUrl, maskDbTarget } from './db-target.js';
import type { PostgresOpenOptions } from './postgres.js';
import { defaultDbPath, looseModeWarning, openSqliteStore, openSqliteStoreReadOnly, type SqliteOpenOptions } from './sqlite.js';
import type { SqlRunStore } from './sql-run-store.js';
import type { ShardBook } from './shards.js';

export type OpenOptions = SqliteOpenOptions & PostgresOpenOptions;

/** `$FLEET_DB` (a URL or a path), else `./fleet.db`. */
export const defaultDbTarget = defaultDbPath;

/** Opens (and migrates) the store `target` names. */
export async function openRunStore(target: string = defaultDbTarget(), opts: OpenOptions = {}): Promise<SqlRunStore> {
  if (!isPostgresUrl(target)) return openSqliteStore(target, opts);
  // Loaded only when asked for: SQLite users never pay for the pg driver at start-up.
  const { openPostgresStore } = await import('./postgres.js');
  return openPostgresStore(target, opts);
}

/**
 * Opens the store for a read-only command. SQLite: nothing in the file or its mode changes (see
 * openSqliteStoreReadOnly), and `warn` hears about a DB others can read. PostgreSQL: the same open as
 * for writing (its schema is shared by every controller and kept current by whoever connects).
 */
export async function openRunStoreReadOnly(
  target: string = defaultDbTarget(),
  opts: OpenOptions & { command: string },
  warn: (w: string) => void,
): Promise<SqlRunStore> {
  if (isPostgresUrl(target)) return openRunStore(target, opts);
  const store = await openSqliteStoreReadOnly(target, opts);
  const loose = looseModeWarning(target);
  if (loose) warn(loose);
  return store;
}

/** How to show a target to a user: the URL with its password masked, or the file's absolute path. */
export function describeDbTarget(target: string = defaultDbTarget(), cwd: string = process.cwd()): string {
  return isPostgresUrl(target) ? maskDbTarget(target) : path.resolve(cwd, target);
}

/** The shard bookkeeping of a sharded run (PostgreSQL only; callers refuse other targets first). */
export async function openShardBook(target: string): Promise<ShardBook> {
  const { openShardBook: open } = await import('./postgres.js');
  return open(target);
}
