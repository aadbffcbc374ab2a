/**
 * Brings a database up to the schema this code knows, in place and atomically: every pending migration
 * and the new user_version commit together, or nothing changes. Safe when two processes open the same
 * new file at once (the version is re-read under the write lock).
 */
import { StoreError, StoreSchemaTooNewError } from './errors.js';
import { APPLICATION_ID, MIGRATIONS, type Migration } from './migrations.js';
import { inTransaction } from './transaction.js';
import type { SqlDb } from './sql-db.js';

export interface MigrateOptions {
  readonly migrations?: readonly Migration[];
  /** Stop at this version (tests build old databases with it). Default: the newest. */
  readonly target?: number;
}

async function pragmaInt(db: SqlDb, name: 'user_version' | 'application_id'): Promise<number> {
  const row = await db.get<Record<string, number>>(`PRAGMA ${name}`);
  return row?.[name] ?? 0;
}

/** The schema version recorded in the file (0 = empty or not yet migrated). */
export const schemaVersion = (db: SqlDb): Promise<number> => pragmaInt(db, 'user_version');

interface FileState {
  readonly version: number;
  readonly appId: number;
  readonly tables: number;
}

/** Reads version, owner and table count; call inside a transaction so the three agree. */
async function readState(db: SqlDb): Promise<FileState> {
  return {
    version: await schemaVersion(db),
    appId: await pragmaInt(db, 'application_id'),
    tables: (await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"))!.n,
  };
}

/**
 * Refuses SQLite files that belong to another program (migrating into them would damage them) and
 * files from a newer fleet (writing with an older schema could corrupt what it added).
 */
function judge(file: string, s: FileState, known: number): void {
  const fresh = s.appId === 0 && s.version === 0 && s.tables === 0;
  if (s.appId !== APPLICATION_ID && !fresh) {
    throw new StoreError(file, 'is an SQLite database of another program, not a fleet database', 'FLEET_STORE_NOT_A_DB');
  }
  if (s.version > known) throw new StoreSchemaTooNewError(file, s.version, known);
}

/**
 * The migrations to consider (versions 1, 2, 3… with no gaps, or a programming error), how many this
 * code knows, and the version to reach (`target` for tests of an older schema, else the newest).
 */
export function migrationPlan<M extends Migration>(
  migrations: readonly M[],
  target?: number,
): { migrations: readonly M[]; known: number; target: number } {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`store: migration #${i} has version ${m.version}, expected ${i + 1}`);
  });
  const known = migrations.length;
  return { migrations, known, target: Math.min(target ?? known, known) };
}

/** Applies pending migrations; returns the version found and the version now in the file. */
export async function migrate(db: SqlDb, opts: MigrateOptions = {}): Promise<{ from: number; to: number }> {
  const { migrations, known, target } = migrationPlan(opts.migrations ?? MIGRATIONS, opts.target);

  // Common case, read-only: already current. A snapshot, so a concurrent first-time migration by
  // another process is seen either entirely or not at all.
  const found = await inTransaction(db, 'BEGIN', () => readState(db));
  judge(db.file, found, known);
  if (found.version >= target) return { from: found.version, to: found.version };

  return inTransaction(db, 'BEGIN IMMEDIATE', async () => {
    // Re-read under the write lock: another process may have migrated since.
    const now = await readState(db);
    judge(db.file, now, known);
    if (now.version === 0) await db.exec(`PRAGMA application_id = ${APPLICATION_ID}`);
    for (const m of migrations) {
      if (m.version <= now.version || m.version > target) continue;
      await db.exec(m.sql);
      await db.exec(`PRAGMA user_version = ${m.version}`);
    }
    return { from: found.version, to: Math.max(now.version, target) };
  });
}

/**
 * For read-only commands: the file must be a fleet DB of exactly this schema. An older one would
 * need a migration, which is a write; reading it with queries for the new schema could fail halfway.
 */
export async function checkReadable(db: SqlDb, command: string, migrations: readonly Migration[] = MIGRATIONS): Promise<void> {
  const state = await inTransaction(db, 'BEGIN', () => readState(db));
  if (state.appId === 0 && state.version === 0 && state.tables === 0) {
    throw new StoreError(db.file, 'no results database here yet (fleet run or fleet exec creates it)', 'FLEET_STORE_MISSING');
  }
  judge(db.file, state, migrations.length);
  if (state.version < migrations.length) {
    throw new StoreError(
      db.file,
      `was written by an older fleet (schema ${state.version}; this fleet uses ${migrations.length}): run a writing command (fleet run or fleet exec) once to upgrade it; ${command} never writes the database`,
      'FLEET_STORE_SCHEMA_OLDER',
    );
  }
}
