/**
 * The shards of sharded runs (run_shards, migration 5), on PostgreSQL only: the bookkeeping that makes
 * a worker's results safe when pg-boss hands a shard to a second worker.
 *
 * FENCING. pg-boss 10 leases a job until `expireInSeconds` after it was fetched, with no heartbeat: a
 * worker that is merely slow past the expiry is not told, and the retried job keeps its id, so a stale
 * worker's complete() would complete the NEW attempt. So the lease that counts is ours: `claim()` bumps
 * the shard's `attempt` (and clears what an earlier attempt wrote for its hosts) in one transaction;
 * every batch a worker writes runs `fence()` first, which locks the shard row and drops the batch
 * unless the attempt is still the writer's; `finish()` only counts for the current attempt, and the
 * caller only calls pg-boss's complete()/fail() when finish() says it still owned the shard. A batch
 * committed before a newer claim is deleted by that claim (the row lock orders them), so each
 * (run, host) ends with the results of exactly one attempt.
 *
 * The SQL uses FOR UPDATE and json_array_elements_text: PostgreSQL's. SQLite has the table (mirrored
 * migration) but sharded runs refuse SQLite before anything gets here.
 */
import { Serial } from './serial.js';
import type { SqlDb } from './sql-db.js';
import type { BatchFence } from './batch-writer.js';

export type ShardState = 'queued' | 'running' | 'done' | 'dead';

export interface NewShard {
  /** The inventory group the shard was built from (workers' --tags), or null. */
  readonly group: string | null;
  readonly hosts: readonly string[];
}

export interface ShardRow {
  readonly runId: number;
  readonly shard: number;
  readonly group: string | null;
  readonly hosts: string[];
  readonly state: ShardState;
  readonly attempt: number;
  readonly worker: string | null;
  readonly reason: string | null;
}

export type Claim =
  | { readonly kind: 'claimed'; readonly attempt: number; readonly hosts: string[]; readonly group: string | null }
  /** Done or dead already (a redelivery after the work was recorded): only the job is left to complete. */
  | { readonly kind: 'settled'; readonly state: ShardState };

export interface Settled {
  /** False: a newer attempt owns the shard; nothing was changed and the job must be left alone. */
  readonly owned: boolean;
  /** True: this was the run's last unsettled shard; the caller finalizes the run. */
  readonly last: boolean;
}

interface RawShard {
  run_id: number;
  shard: number;
  group_name: string | null;
  hosts: string;
  state: ShardState;
  attempt: number;
  worker: string | null;
  reason: string | null;
}

const rowOf = (r: RawShard): ShardRow => ({
  runId: r.run_id,
  shard: r.shard,
  group: r.group_name,
  hosts: JSON.parse(r.hosts) as string[],
  state: r.state,
  attempt: r.attempt,
  worker: r.worker,
  reason: r.reason,
});

const SHARD_HOSTS = 'SELECT json_array_elements_text(hosts::json) FROM run_shards WHERE run_id = ? AND shard = ?';
/** What an attempt may have written for the shard's hosts (groups stay: the submitter wrote them). */
const RESULT_TABLES = ['steps', 'check_results', 'facts', 'run_hosts'] as const;

/** The shard bookkeeping over one connection; calls are serialized (one transaction at a time). */
export class ShardBook {
  private readonly serial = new Serial();

  constructor(private readonly db: SqlDb) {}

  /** Inserts the run's shards (numbered from 1, in order) as `queued`. */
  createShards(runId: number, shards: readonly NewShard[]): Promise<void> {
    return this.tx(async () => {
      let n = 0;
      for (const s of shards) {
        await this.db.run(`INSERT INTO run_shards (run_id, shard, group_name, hosts, state) VALUES (?, ?, ?, ?, 'queued')`, [
          runId,
          ++n,
          s.group,
          JSON.stringify(s.hosts),
        ]);
      }
    });
  }

  /** Takes the shard for a new attempt (see FENCING above). */
  claim(runId: number, shard: number, worker: string, now = Date.now()): Promise<Claim> {
    return this.tx(async () => {
      const row = await this.lockShard(runId, shard);
      if (row.state === 'done' || row.state === 'dead') return { kind: 'settled', state: row.state };
      const attempt = row.attempt + 1;
      await this.db.run(
        `UPDATE run_shards SET attempt = ?, state = 'running', worker = ?, started_at = ?, finished_at = NULL WHERE run_id = ? AND shard = ?`,
        [attempt, worker, now, runId, shard],
      );
      if (row.attempt > 0) await this.clearResults(runId, shard);
      return { kind: 'claimed', attempt, hosts: row.hosts, group: row.group };
    });
  }

  /**
   * Ends `attempt` of the shard: `done`, or back to `queued` with the error as its reason (pg-boss
   * retries it or dead-letters it). Only when `attempt` is still current.
   */
  finish(runId: number, shard: number, attempt: number, error: string | null, now = Date.now()): Promise<Settled> {
    return this.tx(async () => {
      await this.lockRun(runId);
      const row = await this.lockShard(runId, shard);
      if (row.attempt !== attempt || row.state !== 'running') return { owned: false, last: false };
      if (error === null)
        await this.db.run(`UPDATE run_shards SET state = 'done', finished_at = ?, reason = NULL WHERE run_id = ? AND shard = ?`, [
          now,
          runId,
          shard,
        ]);
      else
        await this.db.run(`UPDATE run_shards SET state = 'queued', finished_at = ?, reason = ? WHERE run_id = ? AND shard = ?`, [
          now,
          error,
          runId,
          shard,
        ]);
      return { owned: true, last: error === null && (await this.unsettled(runId)) === 0 };
    });
  }

  /**
   * A dead-lettered shard: `dead`, its attempt bumped (so any straggler is fenced out), whatever an
   * attempt wrote for its hosts cleared, and every host recorded `unaudited` with `reason` — in one
   * transaction, so no host is ever missing from the run.
   */
  bury(runId: number, shard: number, why: (lastError: string | null, attempts: number) => string, now = Date.now()): Promise<Settled> {
    return this.tx(async () => {
      await this.lockRun(runId);
      const row = await this.lockShard(runId, shard);
      if (row.state === 'done' || row.state === 'dead') return { owned: false, last: false };
      const reason = why(row.reason, row.attempt);
      await this.db.run(
        `UPDATE run_shards SET state = 'dead', attempt = attempt + 1, finished_at = ?, reason = ? WHERE run_id = ? AND shard = ?`,
        [now, reason, runId, shard],
      );
      await this.clearResults(runId, shard);
      for (const host of row.hosts) {
        await this.db.run(
          `INSERT INTO run_hosts (run_id, host, status, reason, started_at, finished_at) VALUES (?, ?, 'unaudited', ?, NULL, ?)`,
          [runId, host, reason, now],
        );
      }
      return { owned: true, last: (await this.unsettled(runId)) === 0 };
    });
  }

  /** The fence a shard attempt's store runs before each batch (see FENCING). */
  fence(runId: number, shard: number, attempt: number, onFenced?: (dropped: number) => void): BatchFence {
    return {
      check: async (db) => {
        const row = await db.get<{ attempt: number; state: ShardState }>(
          'SELECT attempt, state FROM run_shards WHERE run_id = ? AND shard = ? FOR UPDATE',
          [runId, shard],
        );
        return row?.attempt === attempt && row.state === 'running';
      },
      ...(onFenced ? { onFenced } : {}),
    };
  }

  /** The fence of a run's finalization: its batch (fleet checks, final status) lands once, on a running run. */
  static runFence(runId: number): BatchFence {
    return {
      check: async (db) =>
        (await db.get<{ status: string }>('SELECT status FROM runs WHERE id = ? FOR UPDATE', [runId]))?.status === 'running',
    };
  }

  shards(runId: number): Promise<ShardRow[]> {
    return this.serial.run(async () =>
      (await this.db.all<RawShard>('SELECT * FROM run_shards WHERE run_id = ? ORDER BY shard', [runId])).map(rowOf),
    );
  }

  /** Hosts of the run with a final result so far (not `in progress`). */
  hostsDone(runId: number): Promise<number> {
    return this.serial.run(async () => {
      const r = await this.db.get<{ n: number }>(
        `SELECT COUNT(*) AS n FROM run_hosts WHERE run_id = ? AND NOT (status = 'skipped' AND reason = 'in progress')`,
        [runId],
      );
      return r?.n ?? 0;
    });
  }

  /** Runs still `running` whose every shard is settled: a finalizer died; finalize them again. */
  unfinalized(): Promise<number[]> {
    return this.serial.run(async () =>
      (
        await this.db.all<{ id: number }>(
          `SELECT r.id FROM runs r WHERE r.status = 'running'
             AND EXISTS (SELECT 1 FROM run_shards s WHERE s.run_id = r.id)
             AND NOT EXISTS (SELECT 1 FROM run_shards s WHERE s.run_id = r.id AND s.state IN ('queued', 'running'))
           ORDER BY r.id`,
        )
      ).map((r) => r.id),
    );
  }

  close(): Promise<void> {
    return this.serial.run(() => this.db.close());
  }

  private async lockRun(runId: number): Promise<void> {
    // Serializes the "was this the last shard?" question between workers settling shards of one run.
    const run = await this.db.get<{ id: number }>('SELECT id FROM runs WHERE id = ? FOR UPDATE', [runId]);
    if (!run) throw new Error(`run ${runId} does not exist (deleted?)`);
  }

  private async lockShard(runId: number, shard: number): Promise<ShardRow> {
    const row = await this.db.get<RawShard>('SELECT * FROM run_shards WHERE run_id = ? AND shard = ? FOR UPDATE', [runId, shard]);
    if (!row) throw new Error(`run ${runId} has no shard ${shard}`);
    return rowOf(row);
  }

  private async clearResults(runId: number, shard: number): Promise<void> {
    for (const t of RESULT_TABLES)
      await this.db.run(`DELETE FROM ${t} WHERE run_id = ? AND host IN (${SHARD_HOSTS})`, [runId, runId, shard]);
  }

  private async unsettled(runId: number): Promise<number> {
    const r = await this.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM run_shards WHERE run_id = ? AND state IN ('queued', 'running')`, [
      runId,
    ]);
    return r?.n ?? 0;
  }

  private tx<T>(fn: () => Promise<T>): Promise<T> {
    return this.serial.run(async () => {
      await this.db.exec(this.db.beginWrite);
      try {
        const out = await fn();
        await this.db.exec('COMMIT');
        return out;
      } catch (err) {
        await this.db.exec('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }
}
