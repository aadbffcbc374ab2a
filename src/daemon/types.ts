/** What the scheduling loop needs from the rest of fleet, as interfaces the store and engine implement. */
import type { Schedule } from '../schedule/types.js';

export interface RunOutcome {
  readonly runId: number | undefined;
  readonly status: 'completed' | 'failed' | 'interrupted';
  readonly hosts: { readonly ok: number; readonly failed: number; readonly unreachable: number };
}

/**
 * Runs a schedule once, now: the same path as `fleet run` (recording, report, retention,
 * notifications). When `signal` aborts, the run stops and is recorded `interrupted`.
 */
export type RunSchedule = (schedule: Schedule, signal: AbortSignal) => Promise<RunOutcome>;

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
