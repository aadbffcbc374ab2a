/** The report's vocabulary over check statuses and severities: what counts as failing, what ranks first. */
import type { CheckStatus, Severity } from '../core/check.js';

/** A check that is broken (fail) or could not decide (error). `warn` is reported but is not failing. */
export function isFailing(status: CheckStatus): boolean {
  return status === 'fail' || status === 'error';
}

/** Most severe first. */
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** Rank (0 = worst) and "the worse of two" for a list ordered worst first; unknown values rank last. */
function worstFirst<T>(order: readonly T[]): { rank: (x: T) => number; worse: (a: T, b: T) => T } {
  const rank = (x: T) => {
    const i = order.indexOf(x);
    return i < 0 ? order.length : i;
  };
  return { rank, worse: (a, b) => (rank(a) <= rank(b) ? a : b) };
}

const severities = worstFirst(SEVERITIES);

/** 0 = critical … 4 = info; lower is worse. */
export const severityRank: (severity: Severity) => number = severities.rank;

/** The worse of two severities. */
export const worseSeverity: (a: Severity, b: Severity) => Severity = severities.worse;

/** Worst first: fail (known broken), error (could not tell), warn, pass, skipped. */
export const CHECK_STATUSES: readonly CheckStatus[] = ['fail', 'error', 'warn', 'pass', 'skipped'];

const statuses = worstFirst(CHECK_STATUSES);

/** 0 = fail … 4 = skipped; lower is worse. */
export const statusRank: (status: CheckStatus) => number = statuses.rank;

/** The worse of two statuses. */
export const worseStatus: (a: CheckStatus, b: CheckStatus) => CheckStatus = statuses.worse;
