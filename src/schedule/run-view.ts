/** What change detection needs to know about one run: per host its status, per check its status. */
import type { CheckStatus } from '../core/check.js';
import type { HostStatus } from '../core/result.js';

export interface CheckView {
  readonly status: CheckStatus;
  /** One line for the notification (already redacted and escaped by the store). */
  readonly message?: string;
}

export interface HostView {
  readonly status: HostStatus;
  readonly checks: ReadonlyMap<string, CheckView>;
}

export interface RunView {
  readonly runId: number;
  readonly hosts: ReadonlyMap<string, HostView>;
}

/** A check that could not pass: `fail`, or `error` (it could not even be evaluated). `warn` is not a failure. */
export const isFailing = (s: CheckStatus) => s === 'fail' || s === 'error';
