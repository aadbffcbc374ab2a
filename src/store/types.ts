/**
 * The results store contract. SQLite (store/sqlite.ts) is the embedded default; PostgreSQL
 * (store/postgres.ts) is the shared one; store/open.ts picks by target, so nothing outside store/ knows SQL.
 *
 * Recording calls (record*) are synchronous and only enqueue: the store writes them in batched
 * transactions off the hot path. `flush()` waits until everything queued is durable.
 */
import type { RunTimings } from '../engine/timings.js';
import type { CheckResult, CheckStatus, FixStatus, FleetCheckResult, Severity } from '../core/check.js';
import type { HostStatus, RunStatus, StepResult } from '../core/result.js';
import type { RunMeta } from '../engine/events.js';

/** What the store records when a run starts: the run's identity as the engine announces it. */
export type NewRun = RunMeta;

export interface RunRow extends NewRun {
  readonly id: number;
  readonly finishedAt: number | null;
  readonly status: RunStatus;
  /** Counts per host status, for listings. */
  readonly hostCounts: Partial<Record<HostStatus, number>>;
  /** Where the run's time went; absent for runs recorded before fleet kept it. */
  readonly timings?: RunTimings;
}

export interface HostRow {
  readonly runId: number;
  readonly host: string;
  readonly status: HostStatus;
  readonly reason: string | null;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
}

export interface StepRow extends StepResult {
  readonly runId: number;
  readonly host: string;
  readonly stdoutTruncated: boolean;
  readonly stderrTruncated: boolean;
}

/** A check result as stored, with what --fix did about it. */
export interface CheckRow {
  readonly runId: number;
  readonly host: string;
  readonly checkId: string;
  readonly status: CheckStatus;
  readonly severity: Severity;
  readonly message: string;
  readonly evidence: unknown;
  readonly fix: string | null;
  /** null: no fix attempted; otherwise what happened. */
  readonly fixStatus: FixStatus | null;
}

/** Which steps to read. A report shows only steps that changed a host or failed: at 10,000 hosts
 * reading all 260,000 steps (most of them one per passing check) was a third of its time. */
export interface StepFilter {
  readonly changedOrFailed?: boolean;
}

export interface RunFilter {
  readonly playbook?: string;
  readonly status?: RunStatus;
  /** Epoch ms. */
  readonly since?: number;
  readonly limit?: number;
}

export interface RunStore {
  /** Creates the run row (status `running`) and returns its id. Awaited: the id is needed. */
  startRun(run: NewRun): Promise<number>;
  recordHost(runId: number, row: Omit<HostRow, 'runId'>): void;
  /** The host's inventory groups when the run started (without all/ungrouped): reports filter by them. */
  recordHostGroups(runId: number, host: string, groups: readonly string[]): void;
  recordStep(runId: number, host: string, step: StepResult): void;
  recordFacts(runId: number, host: string, facts: unknown): void;
  recordCheck(runId: number, host: string, check: CheckResult, fixStatus?: FixStatus | null): void;
  recordFleetCheck(runId: number, check: FleetCheckResult): void;
  /** `timings`: where the run's time went (kept as recorded; a later finish without them keeps them). */
  finishRun(runId: number, status: RunStatus, finishedAt: number, timings?: RunTimings): void;
  /** Write statistics since the store opened (wall time in writes: the run's DB cost). */
  stats?(): { readonly writerMs: number };
  /** Waits until every queued write is committed. */
  flush(): Promise<void>;
  /** undefined when fewer than `n` writes wait to be committed, else when that is so (backpressure). */
  backlogBelow?(n: number): Promise<void> | undefined;
  /** Marks runs left `running` by a dead controller as `interrupted`; returns their ids. */
  recoverInterrupted(): Promise<number[]>;

  listRuns(filter?: RunFilter): Promise<RunRow[]>;
  getRun(id: number): Promise<RunRow | undefined>;
  getHosts(runId: number): Promise<HostRow[]>;
  /** Host → its recorded groups, sorted (hosts without groups are absent). */
  getHostGroups(runId: number): Promise<Map<string, string[]>>;
  getSteps(runId: number, host?: string, opts?: StepFilter): Promise<StepRow[]>;
  getChecks(runId: number, host?: string): Promise<CheckRow[]>;
  getFleetChecks(runId: number): Promise<FleetCheckResult[]>;
  getFacts(runId: number, host: string): Promise<unknown>;
  /** Flushes and closes. */
  close(): Promise<void>;
}
