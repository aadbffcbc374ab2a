/**
 * The store as an observer of a run: the ONE place where a run's events become rows. Whatever the
 * backend (SQLite, PostgreSQL), it sees the same stream the terminal and `--json` see, so what is
 * stored and what is shown cannot drift apart.
 */
import type { CheckResult, FixStatus, FleetCheckResult } from '../core/check.js';
import type { StepResult } from '../core/result.js';
import type { HostOutcome, HostTimes, RunEndInfo, RunMeta, RunRecorder, RunStartInfo, RunTimings } from '../engine/events.js';
import type { RunStore } from './types.js';

export interface RecorderOptions {
  /**
   * Record into this existing run instead of creating one: a shard of a sharded run (cli/shards.ts),
   * whose run row the submitter created. Such a recorder does not end the run (the run ends when its
   * last shard does) unless `finishRun` says so.
   */
  readonly runId?: number;
  readonly finishRun?: boolean;
}

/**
 * Queued writes above which no new host starts until the writer catches up: ~500 hosts of
 * health-check results, three of the writer's largest batches.
 */
const BACKLOG_LIMIT = 30_000;

export class StoreRecorder implements RunRecorder {
  #runId = 0;
  readonly #opts: RecorderOptions;

  constructor(
    private readonly store: RunStore,
    opts: RecorderOptions = {},
  ) {
    this.#opts = opts;
    if (opts.runId !== undefined) this.#runId = opts.runId;
  }

  /** The store's write time when the run began: the run's own DB cost is the difference at its end. */
  #writerMsAtStart = 0;
  #timings: RunTimings | undefined;

  /** The timings as recorded with the run (with its DB write time), once it has ended. */
  get timings(): RunTimings | undefined {
    return this.#timings;
  }

  async begin(meta: RunMeta): Promise<number> {
    this.#writerMsAtStart = this.store.stats?.().writerMs ?? 0;
    if (this.#opts.runId === undefined) this.#runId = await this.store.startRun(meta);
    return this.#runId;
  }

  ready(): Promise<void> | undefined {
    return this.store.backlogBelow?.(BACKLOG_LIMIT);
  }

  onRunStart(info: RunStartInfo): void {
    for (const [host, groups] of info.groups) this.store.recordHostGroups(info.runId, host, groups);
  }

  onHostStart(host: string, startedAt: number): void {
    // A host that is running when the controller dies is left `skipped: in progress`, never missing.
    this.store.recordHost(this.#runId, { host, status: 'skipped', reason: 'in progress', startedAt, finishedAt: null });
  }

  onStep(host: string, step: StepResult): void {
    this.store.recordStep(this.#runId, host, step);
  }

  onFacts(host: string, facts: unknown): void {
    this.store.recordFacts(this.#runId, host, facts);
  }

  onCheck(host: string, check: CheckResult, fixStatus: FixStatus | null): void {
    this.store.recordCheck(this.#runId, host, check, fixStatus);
  }

  onFleetCheck(check: FleetCheckResult): void {
    this.store.recordFleetCheck(this.#runId, check);
  }

  onHostDone(host: string, outcome: HostOutcome, times: HostTimes): void {
    this.store.recordHost(this.#runId, { host, status: outcome.status, reason: outcome.reason ?? null, ...times });
  }

  async onRunEnd(info: RunEndInfo): Promise<void> {
    const dbWriteMs = (this.store.stats?.().writerMs ?? 0) - this.#writerMsAtStart;
    this.#timings = { ...info.timings, dbWriteMs };
    if (this.#opts.runId === undefined || this.#opts.finishRun)
      this.store.finishRun(info.runId, info.status, info.finishedAt, this.#timings);
    await this.store.flush();
  }
}
