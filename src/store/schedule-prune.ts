/**
 * Retention for a schedule's runs: which to delete, and deleting them with everything that hangs off
 * them. Runs are deleted in small batches, one transaction each, so a prune of thousands of runs never
 * holds the write lock for long (a daemon's recorder and other controllers get their turn between
 * batches). Child rows are deleted explicitly rather than trusting ON DELETE CASCADE, so nothing is
 * orphaned on a connection that has foreign keys off (sqlite3's CLI does by default).
 */
import type { RetentionRule } from './schedule-types.js';
import type { SqlDb } from './sql-db.js';
import { inWriteTransaction, placeholders } from './transaction.js';

/** Runs per delete transaction. */
export const PRUNE_BATCH = 50;
const DAY_MS = 86_400_000;

/** Tables with a run_id column whose rows belong to one run and go with it. */
const CHILD_TABLES = ['run_hosts', 'run_host_groups', 'steps', 'facts', 'check_results', 'fleet_checks', 'schedule_runs'] as const;

export function assertRetention(r: RetentionRule): void {
  const bad = (what: string, v: unknown) => new TypeError(`store: retention ${what} must be a non-negative integer, got ${String(v)}`);
  if (r.keepRuns !== undefined && (!Number.isSafeInteger(r.keepRuns) || r.keepRuns < 0)) throw bad('keepRuns', r.keepRuns);
  if (!Number.isSafeInteger(r.minKept) || r.minKept < 0) throw bad('minKept', r.minKept);
  if (r.keepDays !== undefined && (!Number.isFinite(r.keepDays) || r.keepDays < 0)) {
    throw new TypeError(`store: retention keepDays must be a non-negative number, got ${r.keepDays}`);
  }
}

/**
 * The ids of `schedule`'s runs that retention lets go, oldest last. Newest first, a run is kept when it
 * is among the newest `minKept`, or still running (its controller is writing it); otherwise it goes when
 * it is beyond the newest `keepRuns` or started before `now - keepDays`.
 */
export async function runsToPrune(db: SqlDb, schedule: string, r: RetentionRule, now: number): Promise<number[]> {
  assertRetention(r);
  if (r.keepRuns === undefined && r.keepDays === undefined) return [];
  const runs = await db.all<{ id: number; status: string; started_at: number }>(
    `SELECT r.id, r.status, r.started_at FROM schedule_runs sr JOIN runs r ON r.id = sr.run_id
     WHERE sr.schedule = ? ORDER BY r.started_at DESC, r.id DESC`,
    [schedule],
  );
  const cutoff = r.keepDays === undefined ? undefined : now - r.keepDays * DAY_MS;
  return runs
    .filter((run, i) => {
      if (i < r.minKept || run.status === 'running') return false;
      return (r.keepRuns !== undefined && i >= r.keepRuns) || (cutoff !== undefined && run.started_at < cutoff);
    })
    .map((run) => run.id);
}

/**
 * Deletes one batch of runs (at most PRUNE_BATCH) in one transaction; returns how many went. A run
 * found running by now is spared (the status is re-read under the write lock).
 */
export async function deleteRuns(db: SqlDb, ids: readonly number[]): Promise<number> {
  if (ids.length === 0) return 0;
  if (ids.length > PRUNE_BATCH) throw new TypeError(`store: deleteRuns takes at most ${PRUNE_BATCH} runs, got ${ids.length}`);
  return inWriteTransaction(db, async () => {
    const gone = (
      await db.all<{ id: number }>(`SELECT id FROM runs WHERE id IN (${placeholders(ids.length)}) AND status <> 'running'`, ids)
    ).map((r) => r.id);
    if (gone.length === 0) return 0;
    const list = placeholders(gone.length);
    for (const t of CHILD_TABLES) await db.run(`DELETE FROM ${t} WHERE run_id IN (${list})`, gone);
    // The fire stays as history; only its link to the run goes.
    await db.run(`UPDATE schedule_fires SET run_id = NULL WHERE run_id IN (${list})`, gone);
    return (await db.run(`DELETE FROM runs WHERE id IN (${list})`, gone)).changes;
  });
}

/** Fires per delete transaction when trimming fire history. */
export const FIRE_BATCH = 500;

/**
 * Trims `schedule`'s fire history to the window its retained runs cover: fires due before the oldest
 * fire still linked to a run (linkRun with dueAt) go, so a schedule firing every minute does not grow
 * the database forever. The newest fire always stays (lastFire() needs it for missed-fire detection),
 * and with no linked fire nothing is trimmed. Deletes FIRE_BATCH rows per transaction; `lane` gives
 * each transaction its own turn on the connection.
 */
export async function trimFires(db: SqlDb, lane: <T>(fn: () => Promise<T>) => Promise<T>, schedule: string): Promise<number> {
  const anchor = await lane(() =>
    db.get<{ due: number | null; newest: number | null }>(
      `SELECT (SELECT MIN(due_at) FROM schedule_fires WHERE schedule = ? AND run_id IS NOT NULL) AS due,
              (SELECT MAX(id) FROM schedule_fires WHERE schedule = ?) AS newest`,
      [schedule, schedule],
    ),
  );
  if (anchor?.due == null || anchor.newest == null) return 0;
  const { due, newest } = anchor;
  let trimmed = 0;
  for (;;) {
    const { changes } = await lane(() =>
      db.run(
        `DELETE FROM schedule_fires WHERE id IN (
           SELECT id FROM schedule_fires WHERE schedule = ? AND due_at < ? AND id <> ? ORDER BY id LIMIT ?)`,
        [schedule, due, newest, FIRE_BATCH],
      ),
    );
    trimmed += changes;
    if (changes < FIRE_BATCH) return trimmed;
  }
}

/**
 * After a prune: SQLite puts freed pages on its freelist, and later inserts reuse them, so the file
 * stops growing once retention is reached; a file created with auto_vacuum=INCREMENTAL also gets them
 * back now. A full VACUUM (rewrites the whole file, holds the lock throughout) is never worth it here.
 * PostgreSQL: autovacuum makes dead rows reusable; nothing to do in the transaction path.
 */
export async function reclaimSpace(db: SqlDb): Promise<void> {
  if (db.dialect !== 'sqlite') return;
  const mode = (await db.get<{ auto_vacuum: number }>('PRAGMA auto_vacuum'))?.auto_vacuum;
  if (mode === 2) await db.exec('PRAGMA incremental_vacuum');
}
