/**
 * What changed between two runs of a schedule, as a notification tells it: checks that started
 * failing, checks that recovered, hosts that became unreachable, hosts reachable again. A check is
 * recovered only where it was evaluated both times: a host that is unreachable now has unknown
 * checks, not recovered ones. A failure is new unless the same check failed in the previous run.
 */
import { isFailing, type RunView } from './run-view.js';

export interface CheckChange {
  readonly host: string;
  readonly check: string;
  readonly status: string;
  readonly message?: string;
}

export interface Changes {
  readonly newFailing: readonly CheckChange[];
  readonly recovered: readonly CheckChange[];
  readonly newlyUnreachable: readonly string[];
  readonly reachableAgain: readonly string[];
}

export const isEmpty = (c: Changes) => c.newFailing.length + c.recovered.length + c.newlyUnreachable.length + c.reachableAgain.length === 0;

const byHostCheck = (a: CheckChange, b: CheckChange) => a.host.localeCompare(b.host) || a.check.localeCompare(b.check);

export function compareRuns(prev: RunView | undefined, cur: RunView): Changes {
  const newFailing: CheckChange[] = [];
  const recovered: CheckChange[] = [];
  const newlyUnreachable: string[] = [];
  const reachableAgain: string[] = [];
  for (const [host, h] of cur.hosts) {
    const p = prev?.hosts.get(host);
    if (h.status === 'unreachable') {
      if (p?.status !== 'unreachable') newlyUnreachable.push(host);
      continue;
    }
    if (h.status === 'skipped') continue;
    if (p?.status === 'unreachable') reachableAgain.push(host);
    for (const [check, c] of h.checks) {
      const pc = p?.status === 'unreachable' || p?.status === 'skipped' ? undefined : p?.checks.get(check);
      const failing = isFailing(c.status);
      // Unknown before (no previous run, host unreachable or skipped then, check new): a failure is news.
      if (failing && (pc === undefined || !isFailing(pc.status))) newFailing.push({ host, check, status: c.status, message: c.message });
      else if (!failing && c.status !== 'skipped' && pc !== undefined && isFailing(pc.status))
        recovered.push({ host, check, status: c.status });
    }
  }
  return {
    newFailing: newFailing.sort(byHostCheck),
    recovered: recovered.sort(byHostCheck),
    newlyUnreachable: newlyUnreachable.sort(),
    reachableAgain: reachableAgain.sort(),
  };
}
