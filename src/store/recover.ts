/**
 * Finds runs left `running` by a controller that died (SIGKILL, power loss, OOM) and marks them
 * `interrupted`, so listings do not show them running forever.
 *
 * Only runs whose controller is THIS host are judged: a pid means nothing on another machine, and a
 * sharded future may have several controllers writing to one database. Runs of other controllers are
 * left alone (their own controller, or an operator, must recover them). A pid reused by an unrelated
 * process is recognised by that process being younger than the run (liveness.ts); where that cannot
 * be told, the run stays `running` until the process exits: erring towards "still running" never
 * corrupts anything, the opposite could.
 */
import type { SqlDb } from './sql-db.js';

export interface RecoverDeps {
  readonly hostname: string;
  /** Whether the process `pid` that started a run at `startedAt` (epoch ms) may still be running it. */
  readonly isAlive: (pid: number, startedAt: number) => boolean;
}

// The run ends when its last sign of life was recorded, not when we noticed: keeps durations honest.
const MARK_INTERRUPTED = `
UPDATE runs SET status = 'interrupted', finished_at = (
  SELECT MAX(t) FROM (
    SELECT started_at AS t FROM runs WHERE id = ?
    UNION ALL SELECT MAX(started_at + duration_ms) FROM steps WHERE run_id = ?
    UNION ALL SELECT MAX(finished_at) FROM run_hosts WHERE run_id = ?
  ) AS seen
)
WHERE id = ? AND status = 'running'`;

/** Marks dead local runs interrupted in one transaction; returns their ids (oldest first). */
export async function recoverInterrupted(db: SqlDb, deps: RecoverDeps): Promise<number[]> {
  const running = await db.all<{ id: number; controller: string; pid: number; started_at: number }>(
    // A sharded run belongs to its shards, not to the process that submitted it (which may have
    // returned at once with --detach): its workers finish it (cli/shards.ts).
    `SELECT id, controller, pid, started_at FROM runs
     WHERE status = 'running' AND NOT EXISTS (SELECT 1 FROM run_shards s WHERE s.run_id = runs.id) ORDER BY id`,
  );
  const dead = running.filter((r) => r.controller === deps.hostname && !deps.isAlive(r.pid, r.started_at));
  if (dead.length === 0) return [];
  const marked: number[] = [];
  await db.exec(db.beginWrite);
  try {
    for (const r of dead) {
      const { changes } = await db.run(MARK_INTERRUPTED, [r.id, r.id, r.id, r.id]);
      if (changes === 1) marked.push(r.id);
    }
    await db.exec('COMMIT');
  } catch (err) {
    await db.exec('ROLLBACK').catch(() => undefined);
    throw err;
  }
  return marked;
}
