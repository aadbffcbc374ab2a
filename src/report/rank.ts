/** Failing checks ranked by how many hosts they break: the first lines an operator reads. */
import type { Severity } from '../core/check.js';
import type { CheckRow } from '../store/types.js';
import { isFailing, severityRank, worseSeverity } from './status.js';

/** One check failing somewhere in the run. */
export interface FailingCheck {
  readonly checkId: string;
  /** Worst severity among its failing results. */
  readonly severity: Severity;
  /** Hosts where it fails or errors, in first-seen order, each once. */
  readonly hosts: readonly string[];
}

/** Failing checks, most hosts affected first; ties: worse severity first, then id. */
export function rankFailingChecks(checks: readonly CheckRow[]): FailingCheck[] {
  const byId = new Map<string, { severity: Severity; hosts: Set<string> }>();
  for (const c of checks) {
    if (!isFailing(c.status)) continue;
    const seen = byId.get(c.checkId);
    if (seen) {
      seen.severity = worseSeverity(seen.severity, c.severity);
      seen.hosts.add(c.host);
    } else byId.set(c.checkId, { severity: c.severity, hosts: new Set([c.host]) });
  }
  return [...byId]
    .map(([checkId, v]) => ({ checkId, severity: v.severity, hosts: [...v.hosts] }))
    .sort(
      (a, b) =>
        b.hosts.length - a.hosts.length || severityRank(a.severity) - severityRank(b.severity) || a.checkId.localeCompare(b.checkId),
    );
}
