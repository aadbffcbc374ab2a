/** The check/fix model: checks are pure functions of gathered facts. */

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'error' | 'skipped';
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';

/** What --fix or --check did about a check: fixed, still failing after the fix, would fix (--check), or the fix itself failed. */
export type FixStatus = 'fixed' | 'still-failing' | 'would-fix' | 'fix-failed';

export interface CheckResult {
  /** Check id from shared/docs/kvm-network-checks.md, e.g. `bridge.ip-on-port`. */
  readonly id: string;
  readonly status: CheckStatus;
  readonly severity: Severity;
  /** One line a human can act on: what is wrong, where, and what to do. */
  readonly message: string;
  /** What the check looked at (small, JSON-serialisable). */
  readonly evidence?: unknown;
  /** Suggested fix as text (commands or config), when failing. */
  readonly fix?: string;
  /** Id of a built-in runtime fix that can repair this, if any. */
  readonly fixId?: string;
}

/** A fleet-wide finding, computed after every host has reported. */
export interface FleetCheckResult {
  readonly id: string;
  readonly status: CheckStatus;
  readonly severity: Severity;
  readonly message: string;
  /** Every host involved. */
  readonly hosts: readonly string[];
  readonly evidence?: unknown;
}
