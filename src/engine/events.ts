/**
 * The one route by which results leave a run. The engine, the playbook runner and task modules
 * emit events; observers (the store's recorder, terminal progress, `--diff` printing, the run's
 * result collector for the check summary and `--json`) each see every event in the same order.
 * Nothing that runs hosts knows who listens, so a second store backend or a daemon's notifier is
 * one more observer, not a change to the engine.
 */
import type { CheckResult, FixStatus, FleetCheckResult } from '../core/check.js';
import type { HostStatus, RunStatus, StepResult } from '../core/result.js';

export interface HostOutcome {
  readonly status: HostStatus;
  /** Why the host failed, was unreachable or skipped (one line). */
  readonly reason?: string;
}

/** What identifies a run when it starts; recorded with it. Never secrets. */
export interface RunMeta {
  /** Playbook name or path; `exec` for ad-hoc commands. */
  readonly playbook: string;
  readonly inventorySources: readonly string[];
  readonly limit: string | null;
  /** Options worth keeping (forks, check mode, tags, the ad-hoc command…). */
  readonly options: Record<string, unknown>;
  /** The controller's hostname and pid: recoverInterrupted() only touches runs whose process is gone
   *  (a daemon or a second CLI may be running beside us). */
  readonly controller: string;
  readonly pid: number;
  readonly user: string;
  readonly startedAt: number;
}

export interface RunStartInfo {
  readonly runId: number;
  readonly meta: RunMeta;
  readonly playbook: string;
  /** Every host the run targets, in inventory order. */
  readonly hosts: readonly string[];
  /** Each host's inventory groups when the run started (without all/ungrouped). */
  readonly groups: ReadonlyMap<string, readonly string[]>;
}

/** When a host's work started (null: it never started, e.g. skipped) and ended. */
export interface HostTimes {
  readonly startedAt: number | null;
  readonly finishedAt: number;
}

/** How long one phase of a host's work took (connect, facts, checks, fixes…), in ms. */
export interface PhaseTiming {
  readonly phase: string;
  readonly durationMs: number;
}

export interface PhaseTotal {
  /** Sum over hosts, ms. */
  readonly totalMs: number;
  /** Hosts that went through the phase. */
  readonly hosts: number;
  readonly maxMs: number;
  readonly maxHost: string;
}

export interface RunTimings {
  readonly phases: Readonly<Record<string, PhaseTotal>>;
  /** The slowest hosts end to end, slowest first (at most 5). */
  readonly slowest: readonly { readonly host: string; readonly ms: number }[];
  /** Filled in by the caller: inventory and playbook loading, ms. */
  readonly loadMs?: number;
  /** Filled in by the caller: wall time the store spent writing, ms. */
  readonly dbWriteMs?: number;
  /** How many handshakes ran at once and why (engine/adaptive-limit.ts); absent in runs recorded before. */
  readonly concurrency?: ConcurrencyReport;
}

/** One change of the adaptive handshake window: when (ms after the first handshake), to what, why. */
export interface WindowChange {
  readonly atMs: number;
  readonly window: number;
  readonly reason: 'grow' | 'latency' | 'timeout';
}

/** What the run did about concurrency: --forks fixed, or the adaptive window's story. */
export type ConcurrencyReport =
  | { readonly mode: 'fixed'; readonly forks: number }
  | {
      readonly mode: 'adaptive';
      readonly forks: number;
      readonly initialWindow: number;
      readonly peakWindow: number;
      readonly finalWindow: number;
      /** How often the window was halved. */
      readonly cuts: number;
      /** The fastest handshake, ms (null: none completed). */
      readonly baselineMs: number | null;
      readonly windowChanges: readonly WindowChange[];
      /** Handshakes attempted (retries included), and how many timed out. */
      readonly handshakes: number;
      readonly timeouts: number;
      /** Hosts whose handshake timed out from overload and were dialled again; retries in all; hosts a retry reached. */
      readonly retriedHosts: number;
      readonly retries: number;
      readonly recoveredHosts: number;
    };

export interface RunEndInfo {
  readonly runId: number;
  readonly status: RunStatus;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly outcomes: ReadonlyMap<string, HostOutcome>;
  readonly interrupted: boolean;
  readonly stoppedReason: string | undefined;
  /** Where the run's time went (engine/timings.ts). */
  readonly timings: RunTimings;
}

export interface RunObserver {
  onRunStart?(info: RunStartInfo): void;
  onHostStart?(host: string, startedAt: number): void;
  onStep?(host: string, step: StepResult): void;
  onFacts?(host: string, facts: unknown): void;
  onCheck?(host: string, check: CheckResult, fixStatus: FixStatus | null): void;
  /** A fleet-wide finding, once every host has reported. */
  onFleetCheck?(check: FleetCheckResult): void;
  onPhase?(host: string, timing: PhaseTiming): void;
  onHostDone?(host: string, outcome: HostOutcome, times: HostTimes): void;
  /** Awaited: a recorder makes everything durable here before the run returns. */
  onRunEnd?(info: RunEndInfo): void | Promise<void>;
  /**
   * Asked before each host starts: a promise when the observer cannot take another host's events yet
   * (a store whose writer is behind); the host waits for it, holding its fork slot. Without this a
   * slow database would buffer the results of thousands of hosts in memory.
   */
  ready?(): Promise<void> | undefined;
}

/**
 * The observer that gives a run its id (the store's recorder). The run cannot start until it has
 * answered, and the run's end waits for it: a failure to record surfaces as the run's error.
 */
export interface RunRecorder extends RunObserver {
  begin(meta: RunMeta): Promise<number>;
}

type Emit = Required<Omit<RunObserver, 'onRunEnd' | 'ready'>>;

/** The run's event stream: one call reaches every observer, in order. */
export interface EventStream extends Emit {
  /** Every observer's onRunEnd; resolves when all have finished, rejects with the first failure. */
  onRunEnd(info: RunEndInfo): Promise<void>;
  /** undefined when every observer can take another host now; else when they all can. */
  ready(): Promise<void> | undefined;
}

/**
 * Fans events out to `observers`. An observer that throws must not break the run (nor keep the
 * others from seeing the event), so its error goes to `onError` — except in onRunEnd, where a
 * recorder's failure to make results durable must reach the user.
 */
export function eventStream(
  observers: readonly RunObserver[],
  onError: (err: unknown) => void = (err) =>
    process.stderr.write(`fleet: internal error in an output observer: ${(err as Error).message}\n`),
): EventStream {
  const call =
    <K extends keyof Emit>(k: K) =>
    (...args: Parameters<Emit[K]>): void => {
      for (const o of observers) {
        const fn = o[k] as ((...a: unknown[]) => void) | undefined;
        if (!fn) continue;
        try {
          fn.apply(o, args);
        } catch (err) {
          onError(err);
        }
      }
    };
  return {
    onRunStart: call('onRunStart'),
    onHostStart: call('onHostStart'),
    onStep: call('onStep'),
    onFacts: call('onFacts'),
    onCheck: call('onCheck'),
    onFleetCheck: call('onFleetCheck'),
    onPhase: call('onPhase'),
    onHostDone: call('onHostDone'),
    ready() {
      const waits = observers.flatMap((o) => {
        const w = o.ready?.();
        return w ? [w] : [];
      });
      return waits.length === 0 ? undefined : Promise.all(waits).then(() => undefined);
    },
    async onRunEnd(info) {
      const results = await Promise.allSettled(observers.map(async (o) => o.onRunEnd?.(info)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}
