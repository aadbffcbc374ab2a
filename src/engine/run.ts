/**
 * The life of one run: a `running` row first, hosts run in one or more waves (plays, serial
 * batches), then the final status. Whatever happens inside — failures, an interrupt — the run row
 * ends `completed`, `failed` or `interrupted` and every queued result is flushed.
 */
import os from 'node:os';
import type { FleetCheckResult } from '../core/check.js';
import type { ConnectionSpec, Host } from '../core/inventory.js';
import type { HostStatus, RunStatus } from '../core/result.js';
import { EXIT } from '../core/result.js';
import type { ConnectionPool } from './connections.js';
import { TimingCollector, type RunTimings } from './timings.js';
import { eventStream, type HostOutcome, type RunMeta, type RunObserver, type RunRecorder } from './events.js';
import { runHosts, type HostJob } from './run-hosts.js';

export interface RunRequest extends Pick<RunMeta, 'playbook' | 'inventorySources' | 'limit' | 'options'> {
  /** Every host the run targets, for progress totals. */
  readonly hosts: readonly Host[];
  /** How long loading the inventory and the playbook took before the run, ms (shown with the timings). */
  readonly loadMs?: number;
}

export interface RunDeps {
  /** Gives the run its id and records every event (the store's recorder). */
  readonly recorder: RunRecorder;
  readonly pool: ConnectionPool;
  readonly forks: number;
  /** Everyone else who watches the run: progress, --diff, the result collector. */
  readonly observers: readonly RunObserver[];
  readonly signal: AbortSignal;
  readonly specOf: (host: Host) => ConnectionSpec;
}

/** Handle given to the body of a run. */
export interface ActiveRun {
  readonly runId: number;
  readonly signal: AbortSignal;
  /**
   * Runs a job on these hosts (one wave); outcomes are merged into the run's. `releaseWhenDone`: no
   * later wave needs these hosts, so each connection closes as its job ends instead of idling (with
   * keepalives) until the run's end: at 10,000 hosts that idle tail cost more CPU than the checks.
   */
  runHosts(hosts: readonly Host[], job: HostJob, opts?: { readonly releaseWhenDone?: boolean }): Promise<Map<string, HostOutcome>>;
  /** Records hosts that will not be touched (e.g. after a failure limit), with the reason. */
  skip(hosts: readonly Host[], reason: string): void;
  /** A fleet-wide finding, computed once every host has reported. */
  reportFleetCheck(check: FleetCheckResult): void;
  /** Ends the run early as `failed` (e.g. max_fail_percentage crossed), with the reason. */
  stop(reason: string): void;
  readonly stoppedReason: string | undefined;
}

export interface RunSummary {
  readonly runId: number;
  readonly status: RunStatus;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly outcomes: ReadonlyMap<string, HostOutcome>;
  readonly stoppedReason: string | undefined;
  readonly timings: RunTimings;
}

// Worst outcome wins when a host takes part in several waves.
const RANK: Record<HostStatus, number> = { skipped: 0, ok: 1, changed: 2, failed: 3, unreachable: 4, unaudited: 5 };

export async function withRun(req: RunRequest, deps: RunDeps, body: (run: ActiveRun) => Promise<void>): Promise<RunSummary> {
  const timing = new TimingCollector();
  const events = eventStream([timing, deps.recorder, ...deps.observers]);
  const startedAt = Date.now();
  const meta: RunMeta = {
    playbook: req.playbook,
    inventorySources: req.inventorySources,
    limit: req.limit,
    options: req.options,
    controller: os.hostname(),
    pid: process.pid,
    user: os.userInfo().username,
    startedAt,
  };
  const runId = await deps.recorder.begin(meta);
  // Groups as the inventory had them when the run started: reports filter by them later.
  const groups = new Map(req.hosts.map((h) => [h.name, h.groups.filter((g) => g !== 'all' && g !== 'ungrouped')]));
  events.onRunStart({ runId, meta, playbook: req.playbook, hosts: req.hosts.map((h) => h.name), groups });

  const outcomes = new Map<string, HostOutcome>();
  const merge = (name: string, o: HostOutcome) => {
    const prev = outcomes.get(name);
    if (!prev || RANK[o.status] >= RANK[prev.status]) outcomes.set(name, o);
  };
  let stoppedReason: string | undefined;
  let crashed = false;
  let summary: RunSummary | undefined;

  const run: ActiveRun = {
    runId,
    signal: deps.signal,
    async runHosts(hosts, job, opts) {
      const got = await runHosts(hosts, job, { ...deps, runId, events, releaseWhenDone: opts?.releaseWhenDone ?? false });
      for (const [name, o] of got) merge(name, o);
      return got;
    },
    skip(hosts, reason) {
      const now = Date.now();
      for (const h of hosts) {
        merge(h.name, { status: 'skipped', reason });
        events.onHostDone(h.name, { status: 'skipped', reason }, { startedAt: null, finishedAt: now });
      }
    },
    reportFleetCheck(check) {
      events.onFleetCheck(check);
    },
    stop(reason) {
      stoppedReason ??= reason;
    },
    get stoppedReason() {
      return stoppedReason;
    },
  };

  const abortWaiting = () => deps.pool.abortWaiting();
  deps.signal.addEventListener('abort', abortWaiting, { once: true });
  try {
    await body(run);
  } catch (err) {
    crashed = true;
    stoppedReason ??= `internal error: ${(err as Error).message}`;
    throw err;
  } finally {
    deps.signal.removeEventListener('abort', abortWaiting);
    const interrupted = deps.signal.aborted;
    // Hosts the body never reached (interrupt, or a stop) are recorded so nothing is silently missing.
    const missing = req.hosts.filter((h) => !outcomes.has(h.name));
    if (missing.length) run.skip(missing, interrupted ? 'run interrupted before this host started' : (stoppedReason ?? 'not run'));
    const status: RunStatus = interrupted ? 'interrupted' : crashed || stoppedReason ? 'failed' : 'completed';
    const finishedAt = Date.now();
    await deps.pool.closeAll();
    const concurrency = deps.pool.concurrency() ?? { mode: 'fixed', forks: deps.forks };
    const timings = timing.timings({ ...(req.loadMs !== undefined ? { loadMs: req.loadMs } : {}), concurrency });
    await events.onRunEnd({ runId, status, startedAt, finishedAt, outcomes, interrupted, stoppedReason, timings });
    summary = { runId, status, startedAt, finishedAt, outcomes, stoppedReason, timings };
  }
  return summary;
}

/** Exit code of a run, as documented in README. */
export function exitCodeOf(summary: RunSummary): number {
  if (summary.status === 'interrupted') return EXIT.interrupted;
  const statuses = [...summary.outcomes.values()].map((o) => o.status);
  if (statuses.includes('failed') || statuses.includes('unaudited') || summary.stoppedReason) return EXIT.failed;
  if (statuses.includes('unreachable')) return EXIT.unreachable;
  return EXIT.ok;
}
