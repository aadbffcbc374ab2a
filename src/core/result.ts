/** Outcome vocabulary shared by the engine, the store, output and reports. */

export type RunStatus = 'running' | 'completed' | 'failed' | 'interrupted';

/**
 * Per-host outcome of a run. `unaudited`: fleet itself could not audit the host (a sharded run's shard
 * was dead-lettered after its retries: see cli/shards.ts); the reason says why. Not a fact about the
 * host, but never "ok": it counts as failed for the exit code and `--limit @failed`.
 */
export type HostStatus = 'ok' | 'changed' | 'failed' | 'unreachable' | 'skipped' | 'unaudited';

/** Per-step outcome. */
export type StepStatus = 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable';

/** Why a host could not be reached. `hostkey-changed` is a security failure. */
export type UnreachableKind = 'refused' | 'timeout' | 'auth' | 'hostkey-changed' | 'hostkey-unknown' | 'dns' | 'closed' | 'other';

/** Result of one command on one host. `exec` never throws for a non-zero exit. */
export interface CommandResult {
  readonly command: string;
  /** Exit code, or null when killed by a signal or timed out. */
  readonly rc: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
  readonly timedOut: boolean;
}

/** One recorded step (a task, an ad-hoc command, a check) on one host. */
export interface StepResult {
  /** Stable id inside the run, e.g. "exec", "1.3" (play.task) or a check id. */
  readonly stepId: string;
  readonly name: string;
  readonly status: StepStatus;
  readonly changed: boolean;
  readonly rc: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly startedAt: number;
  readonly durationMs: number;
  /** Short human explanation for failed/skipped. */
  readonly message?: string;
}

/** Exit codes, documented in README. */
export const EXIT = {
  ok: 0,
  input: 1,
  failed: 2,
  /** fleet itself failed: a bug, reported with a one-line message. */
  internal: 3,
  unreachable: 4,
  interrupted: 130,
} as const;
