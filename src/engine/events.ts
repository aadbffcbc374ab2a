/** Run events fan out to observers (console progress, JSON collector, store recorder…). */
import type { HostStatus, StepResult } from '../core/result.js';

export interface HostOutcome {
  readonly status: HostStatus;
  /** Why the host failed, was unreachable or skipped (one line). */
  readonly reason?: string;
}

export interface RunObserver {
  onRunStart?(info: { runId: number; playbook: string; hosts: readonly string[] }): void;
  onHostStart?(host: string): void;
  onStep?(host: string, step: StepResult): void;
  onHostDone?(host: string, outcome: HostOutcome): void;
  onRunEnd?(info: { runId: number; outcomes: ReadonlyMap<string, HostOutcome>; interrupted: boolean }): void;
}

/** Calls every observer; an observer that throws must not break the run, so errors go to stderr. */
export function fanOut(observers: readonly RunObserver[]): Required<RunObserver> {
  const call = <K extends keyof RunObserver>(k: K, ...args: Parameters<NonNullable<RunObserver[K]>>) => {
    for (const o of observers) {
      const fn = o[k] as ((...a: unknown[]) => void) | undefined;
      if (!fn) continue;
      try {
        fn.apply(o, args);
      } catch (err) {
        process.stderr.write(`fleet: internal error in an output observer: ${(err as Error).message}\n`);
      }
    }
  };
  return {
    onRunStart: (i) => call('onRunStart', i),
    onHostStart: (h) => call('onHostStart', h),
    onStep: (h, s) => call('onStep', h, s),
    onHostDone: (h, o) => call('onHostDone', h, o),
    onRunEnd: (i) => call('onRunEnd', i),
  };
}
