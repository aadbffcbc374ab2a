/**
 * What record*() calls enqueue. Validated synchronously so a bad value fails at the caller (a bug there),
 * not later inside a batch where it would take the whole transaction down with it.
 */
import type { Redactor } from '../core/redact.js';
import type { CheckResult, CheckStatus, FixStatus, FleetCheckResult, Severity } from '../core/check.js';
import type { HostStatus, RunStatus, StepResult, StepStatus } from '../core/result.js';
import type { HostRow } from './types.js';

export type PendingWrite =
  | { readonly kind: 'host'; readonly runId: number; readonly row: Omit<HostRow, 'runId'> }
  | { readonly kind: 'groups'; readonly runId: number; readonly host: string; readonly groups: readonly string[] }
  | { readonly kind: 'step'; readonly runId: number; readonly host: string; readonly step: StepResult }
  /** Facts and evidence are serialised when recorded: later mutation by the caller cannot change history. */
  | { readonly kind: 'facts'; readonly runId: number; readonly host: string; readonly json: string }
  | {
      readonly kind: 'check';
      readonly runId: number;
      readonly host: string;
      /** Without its evidence (serialised below): a queued check must not hold on to a host's facts. */
      readonly check: Omit<CheckResult, 'evidence'>;
      readonly evidenceJson: string | null;
      readonly fixStatus: FixStatus | null;
    }
  | {
      readonly kind: 'fleetCheck';
      readonly runId: number;
      readonly check: FleetCheckResult;
      readonly hostsJson: string;
      readonly evidenceJson: string | null;
    }
  | {
      readonly kind: 'finish';
      readonly runId: number;
      readonly status: RunStatus;
      readonly finishedAt: number;
      readonly timingsJson: string | null;
    };

export const RUN_STATUSES: readonly RunStatus[] = ['running', 'completed', 'failed', 'interrupted'];
export const HOST_STATUSES: readonly HostStatus[] = ['ok', 'changed', 'failed', 'unreachable', 'skipped', 'unaudited'];
export const STEP_STATUSES: readonly StepStatus[] = ['ok', 'changed', 'failed', 'skipped', 'unreachable'];
export const CHECK_STATUSES: readonly CheckStatus[] = ['pass', 'fail', 'warn', 'error', 'skipped'];
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
export const FIX_STATUSES: readonly FixStatus[] = ['fixed', 'still-failing', 'would-fix', 'fix-failed'];

/** Throws a TypeError (a programming error, not user input) when `value` is not one of `allowed`. */
export function assertOneOf<T extends string>(what: string, value: unknown, allowed: readonly T[]): asserts value is T {
  if (!(allowed as readonly unknown[]).includes(value)) {
    throw new TypeError(`store: invalid ${what} ${JSON.stringify(value)} (expected one of ${allowed.join(', ')})`);
  }
}

export function assertRunId(runId: unknown): asserts runId is number {
  if (typeof runId !== 'number' || !Number.isSafeInteger(runId) || runId <= 0) {
    throw new TypeError(`store: invalid run id ${String(runId)}`);
  }
}

/** JSON.stringify that applies `redact` to every string value; undefined → null (SQL NULL). */
export function toJson(value: unknown, redact: Redactor | undefined): string | null {
  if (value === undefined) return null;
  const json =
    redact && redact.masksNothing?.() !== true
      ? JSON.stringify(value, (_k, v: unknown) => (typeof v === 'string' ? redact(v) : v))
      : JSON.stringify(value);
  return json ?? null;
}
