/**
 * Brings a PostgreSQL database up to the schema this code knows: every pending migration and its row in
 * fleet_schema_migrations commit in ONE transaction (DDL is transactional in PostgreSQL), or nothing
 * changes. Controllers and workers starting at once serialise on a transaction-scoped advisory lock and
 * re-read the version under it, so exactly one of them migrates and the others see its result.
 */
import { StoreError, StoreSchemaTooNewError } from './errors.js';
import { APPLICATION_ID, type Migration } from './migrations.js';
import { migrationPlan } from './migrate.js';
import { PG_MIGRATIONS } from './postgres-migrations.js';
import type { SqlDb } from './sql-db.js';

export const MIGRATIONS_TABLE = 'fleet_schema_migrations';
/** Advisory lock key: the same "FLT1" tag that marks a fleet SQLite file. */
const LOCK_KEY = APPLICATION_ID;
/** Tables fleet creates; finding one without fleet's migrations table means the database is someone else's. */
const FLEET_TABLES = [
  'runs',
  'run_hosts',
  'run_host_groups',
  'steps',
  'facts',
  'check_results',
  'fleet_checks',
  'schedule_locks',
  'schedule_fires',
  'schedule_runs',
  'notify_outbox',
  'alert_state',
  'run_shards',
];

export interface PgMigrateOptions {
  readonly migrations?: readonly Migration[];
  /** Stop at this version (tests build old databases with it). Default: the newest. */
  readonly target?: number;
}

interface DbState {
  readonly version: number;
  /** Fleet table names present although the migrations table is not. */
  readonly foreign: readonly string[];
}

/** The applied schema version (0: none) in the connection's current schema. */
export async function pgSchemaVersion(db: SqlDb): Promise<number> {
  return (await readState(db)).version;
}

async function readState(db: SqlDb): Promise<DbState> {
  // Through the catalog with a fresh snapshot, not to_regclass(): that resolves names through this
  // session's catalog cache, which acquiring an advisory lock does not refresh, so right after waiting
  // for another migrator it can still answer "no such table" for the tables it just committed.
  const names = [MIGRATIONS_TABLE, ...FLEET_TABLES];
  const present = (
    await db.all<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()
       AND table_name IN (${names.map(() => '?').join(', ')}) ORDER BY table_name`,
      names,
    )
  ).map((t) => t.name);
  if (!present.includes(MIGRATIONS_TABLE)) return { version: 0, foreign: present };
  const row = await db.get<{ v: number | null }>(`SELECT MAX(version) AS v FROM ${MIGRATIONS_TABLE}`);
  return { version: row?.v ?? 0, foreign: [] };
}

function judge(target: string, s: DbState, known: number): void {
  if (s.foreign.length > 0) {
    throw new StoreError(
      target,
      `is not a fleet database: it has table(s) ${s.foreign.join(', ')} but no ${MIGRATIONS_TABLE}; use another database or schema`,
      'FLEET_STORE_NOT_A_DB',
    );
  }
  if (s.version > known) throw new StoreSchemaTooNewError(target, s.version, known);
}

/** Applies pending migrations; returns the version found and the version now in the database. */
export async function migratePostgres(db: SqlDb, opts: PgMigrateOptions = {}): Promise<{ from: number; to: number }> {
  const { migrations, known, target } = migrationPlan(opts.migrations ?? PG_MIGRATIONS, opts.target);

  // Common case, no lock: already current.
  const found = await readState(db);
  judge(db.file, found, known);
  if (found.version >= target) return { from: found.version, to: found.version };

  await db.exec('BEGIN');
  try {
    await db.get('SELECT pg_advisory_xact_lock(?)', [LOCK_KEY]);
    // Re-read under the lock: another process may have migrated while we waited.
    const now = await readState(db);
    judge(db.file, now, known);
    await db.exec(
      `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at BIGINT NOT NULL)`,
    );
    for (const m of migrations) {
      if (m.version <= now.version || m.version > target) continue;
      await db.exec(m.sql);
      await db.run(`INSERT INTO ${MIGRATIONS_TABLE} (version, description, applied_at) VALUES (?, ?, ?)`, [
        m.version,
        m.description,
        Date.now(),
      ]);
    }
    await db.exec('COMMIT');
    return { from: found.version, to: Math.max(now.version, target) };
  } catch (err) {
    await db.exec('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
