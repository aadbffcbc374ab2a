/**
 * Brings a database up to the schema this code knows, in place and atomically: every pending migration
 * and the new user_version commit together, or nothing changes. Safe when two processes open the same
 * new file at once (the version is re-read under the write lock).
 */
import { StoreError, StoreSchemaTooNewError } from './errors.js';
import { APPLICATION_ID, MIGRATIONS, type Migration } from './migrations.js';
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

/** Refuses SQLite files that belong to another program: migrating into them would damage them. */
async function assertFleetFile(db: SqlDb, version: number): Promise<void> {
  const appId = await pragmaInt(db, 'application_id');
  if (appId === APPLICATION_ID) return;
  const foreign = appId !== 0 || version !== 0 || (await db.get<{ n: number }>(
    "SELECT COUNT(*) AS n FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'",
  ))!.n > 0;
  if (foreign) {
    throw new StoreError(db.file, 'is an SQLite database of another program, not a fleet database', 'FLEET_STORE_NOT_A_DB');
  }
}

/** Applies pending migrations; returns the version found and the version now in the file. */
export async function migrate(db: SqlDb, opts: MigrateOptions = {}): Promise<{ from: number; to: number }> {
  const migrations = opts.migrations ?? MIGRATIONS;
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`store: migration #${i} has version ${m.version}, expected ${i + 1}`);
  });
  const known = migrations.length;
  const target = Math.min(opts.target ?? known, known);

  const found = await schemaVersion(db);
  await assertFleetFile(db, found);
  if (found > known) throw new StoreSchemaTooNewError(db.file, found, known);
  if (found >= target) return { from: found, to: found };

  await db.exec('BEGIN IMMEDIATE');
  try {
    const current = await schemaVersion(db);
    if (current > known) throw new StoreSchemaTooNewError(db.file, current, known);
    if (current === 0) await db.exec(`PRAGMA application_id = ${APPLICATION_ID}`);
    for (const m of migrations) {
      if (m.version <= current || m.version > target) continue;
      await db.exec(m.sql);
      await db.exec(`PRAGMA user_version = ${m.version}`);
    }
    await db.exec('COMMIT');
    return { from: found, to: Math.max(current, target) };
  } catch (err) {
    await db.exec('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
