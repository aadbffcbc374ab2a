/** The report's vocabulary over check statuses and severities: what counts as failing, what ranks first. */
import type { CheckStatus, Severity } from '../core/check.js';

/** A check that is broken (fail) or could not decide (error). `warn` is reported but is not failing. */
export function isFailing(status: CheckStatus): boolean {
  return status === 'fail' || status === 'error';
}

/** Most severe first. */
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** 0 = critical … 4 = info; lower is worse. */
export function severityRank(severity: Severity): number {
  const i = SEVERITIES.indexOf(severity);
  return i < 0 ? SEVERITIES.length : i;
}

/** The worse of two severities. */
export function worseSeverity(a: Severity, b: Severity): Severity {
  return severityRank(a) <= severityRank(b) ? a : b;
}

/** Worst first: fail (known broken), error (could not tell), warn, pass, skipped. */
export const CHECK_STATUSES: readonly CheckStatus[] = ['fail', 'error', 'warn', 'pass', 'skipped'];

/** 0 = fail … 4 = skipped; lower is worse. */
export function statusRank(status: CheckStatus): number {
  const i = CHECK_STATUSES.indexOf(status);
  return i < 0 ? CHECK_STATUSES.length : i;
}

/** The worse of two statuses. */
export function worseStatus(a: CheckStatus, b: CheckStatus): CheckStatus {
  return statusRank(a) <= statusRank(b) ? a : b;
}
