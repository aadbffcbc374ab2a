/**
 * A schedule's history: its fires (ran, skipped, missed) and which runs it made. Runs predate
 * schedules, so the link lives in schedule_runs rather than a column of runs.
 */
import { assertRunId } from './writes.js';
import type { FireOutcome, ScheduleRunSummary } from './schedule-types.js';
import type { SqlDb } from './sql-db.js';
import { inWriteTransaction } from './transaction.js';
import type { RunStatus } from '../core/result.js';

const OUTCOMES: readonly FireOutcome[] = ['ran', 'skipped', 'missed'];

/** When the schedule's latest fire was due, whatever its outcome. */
export async function lastFire(db: SqlDb, schedule: string): Promise<number | undefined> {
  const row = await db.get<{ due: number | null }>('SELECT MAX(due_at) AS due FROM schedule_fires WHERE schedule = ?', [schedule]);
  return row?.due ?? undefined;
}

export async function recordFire(
  db: SqlDb,
  schedule: string,
  dueAt: number,
  outcome: FireOutcome,
  detail: string,
  now: number,
): Promise<void> {
  if (!OUTCOMES.includes(outcome)) throw new TypeError(`store: fire outcome must be one of ${OUTCOMES.join(', ')}, got ${String(outcome)}`);
  if (!Number.isSafeInteger(dueAt)) throw new TypeError(`store: fire of ${schedule}: dueAt must be epoch ms, got ${dueAt}`);
  await db.run('INSERT INTO schedule_fires (schedule, due_at, outcome, detail, recorded_at) VALUES (?, ?, ?, ?, ?)', [
    schedule,
    dueAt,
    outcome,
    detail,
    now,
  ]);
}

/**
 * Records that `schedule` made run `runId`; with `dueAt`, also points that fire (recorded `ran`) at the
 * run. Linking again is harmless (the first schedule stays).
 */
export async function linkRun(db: SqlDb, runId: number, schedule: string, dueAt?: number): Promise<void> {
  assertRunId(runId);
  await inWriteTransaction(db, async () => {
    await db.run('INSERT INTO schedule_runs (run_id, schedule) VALUES (?, ?) ON CONFLICT (run_id) DO NOTHING', [runId, schedule]);
    if (dueAt !== undefined) {
      await db.run("UPDATE schedule_fires SET run_id = ? WHERE schedule = ? AND due_at = ? AND outcome = 'ran' AND run_id IS NULL", [
        runId,
        schedule,
        dueAt,
      ]);
    }
  });
}

/**
 * The latest finished run of `schedule` before `beforeRunId`, to compare a run with. Finished means
 * completed or failed: an interrupted run saw only part of the fleet and would show false changes.
 */
export async function previousRunId(db: SqlDb, schedule: string, beforeRunId: number): Promise<number | undefined> {
  const row = await db.get<{ id: number | null }>(
    `SELECT MAX(sr.run_id) AS id FROM schedule_runs sr JOIN runs r ON r.id = sr.run_id
     WHERE sr.schedule = ? AND sr.run_id < ? AND r.status IN ('completed', 'failed')`,
    [schedule, beforeRunId],
  );
  return row?.id ?? undefined;
}

/** The newest run `schedule` made (whatever its status), for `fleet schedule list`. */
export async function lastRunOf(db: SqlDb, schedule: string): Promise<ScheduleRunSummary | undefined> {
  const row = await db.get<{ id: number; status: RunStatus; started_at: number; finished_at: number | null }>(
    `SELECT r.id, r.status, r.started_at, r.finished_at FROM runs r
     WHERE r.id = (SELECT MAX(run_id) FROM schedule_runs WHERE schedule = ?)`,
    [schedule],
  );
  return row && { id: row.id, status: row.status, startedAt: row.started_at, finishedAt: row.finished_at ?? undefined };
}
