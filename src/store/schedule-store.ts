/**
 * The scheduling daemon's durable state, over the same SqlDb as the run store (SQLite or PostgreSQL):
 * schedule locks and fire history (daemon/types.ts ScheduleLocks, ScheduleHistory), the notification
 * outbox (notify/outbox.ts Outbox), alert records, run links and retention. Structurally typed to those
 * interfaces (see schedule-types.ts for why it cannot name them).
 *
 * Every call runs in the owning store's serial lane: the run store has one connection, and a
 * transaction here must not interleave with its batch writes. Several processes on one database
 * coordinate through the database itself (write transactions, compare-and-swap updates).
 */
import { hostname } from 'node:os';
import { loadAlertState, saveAlertState } from './alert-state.js';
import { isRunOwnerAlive } from './liveness.js';
import { heartbeatLock, releaseLock, tryAcquireLock, type LockDeps } from './schedule-locks.js';
import * as outbox from './schedule-outbox.js';
import * as history from './schedule-history.js';
import { deleteRuns, PRUNE_BATCH, reclaimSpace, runsToPrune, trimFires } from './schedule-prune.js';
import type { AlertRecord, FireOutcome, OutboxChannel, OutboxRow, RetentionRule, ScheduleRunSummary } from './schedule-types.js';
import type { SqlDb } from './sql-db.js';

/** Runs `fn` when the connection is free (the run store's serial lane). */
export type Lane = <T>(fn: () => Promise<T>) => Promise<T>;

export type ScheduleStoreDeps = LockDeps;

const defaultDeps = (): ScheduleStoreDeps => ({ hostname: hostname(), isAlive: isRunOwnerAlive, now: Date.now });

export class ScheduleStore {
  private readonly deps: ScheduleStoreDeps;

  constructor(
    private readonly db: SqlDb,
    private readonly lane: Lane = (fn) => fn(),
    deps: Partial<ScheduleStoreDeps> = {},
  ) {
    this.deps = { ...defaultDeps(), ...deps };
  }

  // ScheduleLocks

  /** Takes the lock if free, expired, or held by a dead process of this machine. `owner` is hostname:pid:startMs. */
  tryAcquire(name: string, owner: string, leaseMs: number): Promise<boolean> {
    return this.lane(() => tryAcquireLock(this.db, this.deps, name, owner, leaseMs));
  }
  heartbeat(name: string, owner: string, leaseMs: number): Promise<boolean> {
    return this.lane(() => heartbeatLock(this.db, this.deps, name, owner, leaseMs));
  }
  release(name: string, owner: string): Promise<void> {
    return this.lane(() => releaseLock(this.db, name, owner));
  }

  // ScheduleHistory

  lastFire(name: string): Promise<number | undefined> {
    return this.lane(() => history.lastFire(this.db, name));
  }
  recordFire(name: string, dueAt: number, outcome: FireOutcome, detail: string): Promise<void> {
    return this.lane(() => history.recordFire(this.db, name, dueAt, outcome, detail, this.deps.now()));
  }

  // Runs of a schedule

  linkRun(runId: number, schedule: string, dueAt?: number): Promise<void> {
    return this.lane(() => history.linkRun(this.db, runId, schedule, dueAt));
  }
  previousRunId(schedule: string, beforeRunId: number): Promise<number | undefined> {
    return this.lane(() => history.previousRunId(this.db, schedule, beforeRunId));
  }
  lastRunOf(schedule: string): Promise<ScheduleRunSummary | undefined> {
    return this.lane(() => history.lastRunOf(this.db, schedule));
  }

  // Outbox

  enqueue(items: readonly { channel: OutboxChannel; payload: string }[], now: number): Promise<void> {
    return this.lane(() => outbox.enqueue(this.db, items, now));
  }
  claim(now: number, limit: number, leaseMs: number): Promise<OutboxRow[]> {
    return this.lane(() => outbox.claim(this.db, now, limit, leaseMs));
  }
  markSent(id: number, attempts: number, now: number): Promise<void> {
    return this.lane(() => outbox.markSent(this.db, id, attempts, now));
  }
  markFailed(id: number, attempts: number, error: string, retryAt: number | undefined): Promise<void> {
    return this.lane(() => outbox.markFailed(this.db, id, attempts, error, retryAt));
  }
  outboxItems(): Promise<OutboxRow[]> {
    return this.lane(() => outbox.listOutbox(this.db));
  }

  // Alert records

  loadAlertState(schedule: string): Promise<Map<string, AlertRecord>> {
    return this.lane(() => loadAlertState(this.db, schedule));
  }
  saveAlertState(schedule: string, entries: ReadonlyMap<string, AlertRecord>): Promise<void> {
    return this.lane(() => saveAlertState(this.db, schedule, entries));
  }

  /**
   * Applies `retention` to the runs `schedule` made (runs it did not make are never touched), then
   * trims its fire history to the window the kept runs cover (trimFires). Each batch is its own
   * transaction and its own turn in the lane, so recording goes on between batches.
   */
  async pruneRuns(schedule: string, retention: RetentionRule, now: number): Promise<{ deleted: number }> {
    const ids = await this.lane(() => runsToPrune(this.db, schedule, retention, now));
    let deleted = 0;
    for (let i = 0; i < ids.length; i += PRUNE_BATCH) {
      const batch = ids.slice(i, i + PRUNE_BATCH);
      deleted += await this.lane(() => deleteRuns(this.db, batch));
    }
    const trimmed = deleted > 0 ? await trimFires(this.db, this.lane, schedule) : 0;
    if (deleted + trimmed > 0) await this.lane(() => reclaimSpace(this.db));
    return { deleted };
  }
}
