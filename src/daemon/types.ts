/** What the scheduling loop needs from the rest of fleet, as interfaces the store and engine implement. */
import type { AlertState } from '../schedule/alerts.js';
import type { Outbox } from '../notify/outbox.js';
import type { Retention, Schedule } from '../schedule/types.js';

export interface RunOutcome {
  readonly runId: number | undefined;
  readonly status: 'completed' | 'failed' | 'interrupted';
  readonly hosts: { readonly ok: number; readonly failed: number; readonly unreachable: number };
  /** What `fleet run` would have exited with (`fleet schedule run` exits with it). */
  readonly exitCode?: number;
}

/**
 * Runs a schedule once, now: the same path as `fleet run` (recording, report, retention,
 * notifications). When `signal` aborts, the run stops and is recorded `interrupted`.
 */
export type RunSchedule = (schedule: Schedule, signal: AbortSignal, dueAt: number) => Promise<RunOutcome>;

/**
 * One holder per schedule across daemons and `fleet schedule run` on the same DB. A lock is taken
 * over only when its lease expired (its holder stopped heartbeating) or its holder is provably dead.
 */
export interface ScheduleLocks {
  tryAcquire(name: string, owner: string, leaseMs: number): Promise<boolean>;
  /** Extends the lease; false when the lock was lost (taken over), and the run should stop. */
  heartbeat(name: string, owner: string, leaseMs: number): Promise<boolean>;
  release(name: string, owner: string): Promise<void>;
}

/** What the loop records besides runs: fires it skipped or missed, and when a schedule last ran. */
export interface ScheduleHistory {
  /** When the schedule's latest fire was due (run, skipped or missed), ms since the epoch. */
  lastFire(name: string): Promise<number | undefined>;
  recordFire(name: string, dueAt: number, outcome: 'ran' | 'skipped' | 'missed', detail: string): Promise<void>;
}

/** What a scheduled run leaves in the store besides the run itself (the SQL schedule store implements it). */
export interface ScheduleRecords {
  /**
   * Marks run `runId` as made by `schedule` (and its fire due at `dueAt`): change detection,
   * retention (which also trims the fire history to the runs it keeps) and `schedule list` follow it.
   */
  linkRun(runId: number, schedule: string, dueAt?: number): Promise<void>;
  /** Per (host, check) alert records of a schedule, keyed as alerts.ts keys them. */
  loadAlertState(schedule: string): Promise<Map<string, AlertState>>;
  /** Replaces the schedule's alert records (one transaction). */
  saveAlertState(schedule: string, states: ReadonlyMap<string, AlertState>): Promise<void>;
  /** Deletes the schedule's runs that retention no longer keeps (never a running one). */
  pruneRuns(schedule: string, retention: Retention, now: number): Promise<{ deleted: number }>;
}

/** The latest run a schedule made, for `fleet schedule list`. */
export interface ScheduleLastRun {
  readonly id: number;
  readonly startedAt: number;
  readonly status: string;
}

/** Everything the daemon keeps in the results store, on either backend. */
export interface ScheduleStore extends ScheduleLocks, ScheduleHistory, ScheduleRecords, Outbox {
  lastRunOf(schedule: string): Promise<ScheduleLastRun | undefined>;
}
