/**
 * RunStore over an SqlDb, whichever database is underneath (SQLite or PostgreSQL): record*() only enqueue (validated, O(1)); a WriteQueue commits them in
 * batched transactions; reads and startRun() go through the same serial lane so they never land
 * inside someone else's batch transaction.
 */
import { hostname } from 'node:os';
import type { CheckResult, FixStatus, FleetCheckResult } from '../core/check.js';
import type { RunStatus, StepResult } from '../core/result.js';
import type { Redactor } from '../core/redact.js';
import { writeBatch, type BatchFence } from './batch-writer.js';
import type { EncodeOptions } from './encode.js';
import { isRunOwnerAlive } from './liveness.js';
import * as q from './queries.js';
import { recoverInterrupted } from './recover.js';
import { ScheduleStore } from './schedule-store.js';
import { Serial } from './serial.js';
import type { SqlDb } from './sql-db.js';
import type { RunTimings } from '../engine/timings.js';
import type { CheckRow, HostRow, NewRun, RunFilter, RunRow, RunStore, StepFilter, StepRow } from './types.js';
import { WriteQueue, type WriteQueueStats } from './write-queue.js';
import {
  CHECK_STATUSES,
  FIX_STATUSES,
  HOST_STATUSES,
  RUN_STATUSES,
  SEVERITIES,
  STEP_STATUSES,
  assertOneOf,
  assertRunId,
  toJson,
  type PendingWrite,
} from './writes.js';

/** Tuning and safety knobs for the store. All optional. */
export interface StoreOptions {
  /** Masks secrets in stdout/stderr/messages/reasons/evidence/facts/options before they are stored. */
  readonly redact?: Redactor;
  /** Max UTF-8 bytes kept per stdout, stderr and message (default 64 KiB); longer keeps head + tail. */
  readonly outputCap?: number;
  /** Queue length that triggers a write (default 1000). */
  readonly batchSize?: number;
  /** Most records per transaction (default 10000). */
  readonly maxBatch?: number;
  /** Longest a record waits in the queue when traffic is light (default 50 ms). */
  readonly flushDelayMs?: number;
  /** Facts JSON above this many bytes is stored zlib-compressed (default 4 KiB). */
  readonly compressFactsAbove?: number;
  /** Checked inside every write transaction; a batch it refuses is dropped (sharded runs' attempt fence). */
  readonly fence?: BatchFence;
}

const identity = (s: string): string => s;

function positiveInt(name: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value <= 0)) {
    throw new TypeError(`store: ${name} must be a positive integer, got ${value}`);
  }
}

export class SqlRunStore implements RunStore {
  private readonly serial = new Serial();
  private readonly queue: WriteQueue<PendingWrite>;
  private readonly encode: EncodeOptions;
  private closed = false;
  private schedules: ScheduleStore | undefined;

  constructor(
    private readonly db: SqlDb,
    private readonly opts: StoreOptions = {},
  ) {
    positiveInt('outputCap', opts.outputCap);
    positiveInt('batchSize', opts.batchSize);
    positiveInt('maxBatch', opts.maxBatch);
    positiveInt('compressFactsAbove', opts.compressFactsAbove);
    const delay = opts.flushDelayMs;
    // setTimeout silently turns anything above 2^31-1 ms into 1 ms.
    if (delay !== undefined && (!Number.isSafeInteger(delay) || delay < 0 || delay > 2 ** 31 - 1)) {
      throw new TypeError(`store: flushDelayMs must be an integer from 0 to ${2 ** 31 - 1}, got ${delay}`);
    }
    this.encode = {
      redact: opts.redact ?? identity,
      outputCap: opts.outputCap ?? 64 * 1024,
      compressFactsAbove: opts.compressFactsAbove ?? 4 * 1024,
    };
    this.queue = new WriteQueue<PendingWrite>((batch) => this.serial.run(() => writeBatch(this.db, batch, this.encode, this.opts.fence)), {
      batchSize: opts.batchSize ?? 1000,
      maxBatch: opts.maxBatch ?? 10_000,
      delayMs: opts.flushDelayMs ?? 50,
    });
  }

  /** The database file, or the PostgreSQL URL with its password masked. */
  get file(): string {
    return this.db.file;
  }

  async startRun(run: NewRun): Promise<number> {
    this.assertOpen();
    const redact = this.opts.redact;
    const row = await this.serial.run(() =>
      this.db.get<{ id: number }>(
        `INSERT INTO runs (playbook, inventory_sources, host_limit, options, controller, pid, username, started_at, status)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running') RETURNING id`,
        [
          run.playbook,
          JSON.stringify(run.inventorySources),
          run.limit,
          toJson(run.options, redact) ?? '{}',
          run.controller,
          run.pid,
          run.user,
          run.startedAt,
        ],
      ),
    );
    return row!.id;
  }

  recordHost(runId: number, row: Omit<HostRow, 'runId'>): void {
    this.assertOpen();
    assertRunId(runId);
    assertOneOf('host status', row.status, HOST_STATUSES);
    this.queue.push({ kind: 'host', runId, row });
  }

  recordHostGroups(runId: number, host: string, groups: readonly string[]): void {
    this.assertOpen();
    assertRunId(runId);
    if (groups.length > 0) this.queue.push({ kind: 'groups', runId, host, groups: [...groups] });
  }

  recordStep(runId: number, host: string, step: StepResult): void {
    this.assertOpen();
    assertRunId(runId);
    assertOneOf('step status', step.status, STEP_STATUSES);
    this.queue.push({ kind: 'step', runId, host, step });
  }

  recordFacts(runId: number, host: string, facts: unknown): void {
    this.assertOpen();
    assertRunId(runId);
    this.queue.push({ kind: 'facts', runId, host, json: toJson(facts, this.opts.redact) ?? 'null' });
  }

  recordCheck(runId: number, host: string, check: CheckResult, fixStatus: FixStatus | null = null): void {
    this.assertOpen();
    assertRunId(runId);
    assertOneOf('check status', check.status, CHECK_STATUSES);
    assertOneOf('severity', check.severity, SEVERITIES);
    if (fixStatus !== null) assertOneOf('fix status', fixStatus, FIX_STATUSES);
    const { evidence, ...verdict } = check;
    this.queue.push({ kind: 'check', runId, host, check: verdict, fixStatus, evidenceJson: toJson(evidence, this.opts.redact) });
  }

  recordFleetCheck(runId: number, check: FleetCheckResult): void {
    this.assertOpen();
    assertRunId(runId);
    assertOneOf('check status', check.status, CHECK_STATUSES);
    assertOneOf('severity', check.severity, SEVERITIES);
    this.queue.push({
      kind: 'fleetCheck',
      runId,
      check,
      hostsJson: JSON.stringify(check.hosts),
      evidenceJson: toJson(check.evidence, this.opts.redact),
    });
  }

  finishRun(runId: number, status: RunStatus, finishedAt: number, timings?: RunTimings): void {
    this.assertOpen();
    assertRunId(runId);
    assertOneOf('run status', status, RUN_STATUSES);
    this.queue.push({ kind: 'finish', runId, status, finishedAt, timingsJson: timings ? JSON.stringify(timings) : null });
  }

  backlogBelow(n: number): Promise<void> | undefined {
    return this.queue.below(n);
  }

  flush(): Promise<void> {
    return this.queue.flush();
  }

  /** See recover.ts: only runs of this host whose pid is gone; other controllers' runs are left alone. */
  recoverInterrupted(): Promise<number[]> {
    return this.read(() => recoverInterrupted(this.db, { hostname: hostname(), isAlive: isRunOwnerAlive }));
  }

  listRuns(filter?: RunFilter): Promise<RunRow[]> {
    return this.read(() => q.listRuns(this.db, filter));
  }
  getRun(id: number): Promise<RunRow | undefined> {
    return this.read(() => q.getRun(this.db, id));
  }
  getHosts(runId: number): Promise<HostRow[]> {
    return this.read(() => q.getHosts(this.db, runId));
  }

  getHostGroups(runId: number): Promise<Map<string, string[]>> {
    return this.read(() => q.getHostGroups(this.db, runId));
  }
  getSteps(runId: number, host?: string, opts?: StepFilter): Promise<StepRow[]> {
    return this.read(() => q.getSteps(this.db, runId, host, opts));
  }
  getChecks(runId: number, host?: string): Promise<CheckRow[]> {
    return this.read(() => q.getChecks(this.db, runId, host));
  }
  getFleetChecks(runId: number): Promise<FleetCheckResult[]> {
    return this.read(() => q.getFleetChecks(this.db, runId));
  }
  getFacts(runId: number, host: string): Promise<unknown> {
    return this.read(() => q.getFacts(this.db, runId, host));
  }

  /** For diffs: the latest earlier run of the same playbook (optionally only with these statuses). */
  previousRun(runId: number, statuses?: readonly RunStatus[]): Promise<RunRow | undefined> {
    return this.read(() => q.previousRun(this.db, runId, statuses));
  }

  /** For trend reports: the `n` newest runs of `playbook`, newest first. */
  lastRuns(playbook: string, n: number): Promise<RunRow[]> {
    return this.read(() => q.listRuns(this.db, { playbook, limit: n }));
  }

  /**
   * The scheduling daemon's state (locks, fire history, outbox, alert records, retention) on this
   * store's connection and serial lane. One per store; unusable once the store is closed.
   */
  scheduleStore(): ScheduleStore {
    this.assertOpen();
    this.schedules ??= new ScheduleStore(this.db, (fn) => this.read(fn));
    return this.schedules;
  }

  /** Writer counters (committed batches, records, writer time): for tests and --debug. */
  stats(): WriteQueueStats {
    return this.queue.stats();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.queue.flush();
    } finally {
      this.closed = true;
      await this.serial.run(() => this.db.close());
    }
  }

  /** Runs `fn` in the serial lane; rejects (rather than throws) once closed. */
  private read<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error(`store: ${this.db.file} is closed`));
    return this.serial.run(fn);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`store: ${this.db.file} is closed`);
  }
}

/**
 * A store over an open connection, once `prepare` (migrate, or check the schema) has passed. On any
 * failure the connection is closed and the error described by `describe` (one line, the backend's
 * own wording); a TypeError is a caller's bug and passes through as it is.
 */
export async function storeOver(
  db: SqlDb,
  opts: StoreOptions,
  prepare: (db: SqlDb) => Promise<unknown>,
  describe: (err: unknown) => Error,
): Promise<SqlRunStore> {
  try {
    await prepare(db);
    return new SqlRunStore(db, opts);
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err instanceof TypeError ? err : describe(err);
  }
}
