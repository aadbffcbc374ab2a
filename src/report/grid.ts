/** The host × check grid the exporters walk: every host of the run against every check id seen. */
import type { CheckStatus, FixStatus, Severity } from '../core/check.js';
import type { HostStatus } from '../core/result.js';
import type { CheckRow } from '../store/types.js';
import type { RunData } from './run-data.js';
import { worseSeverity, worseStatus } from './status.js';

/** One host × check: its results merged, or why there is none. */
export interface GridCell {
  readonly host: string;
  readonly hostStatus: HostStatus;
  readonly hostReason: string | null;
  readonly checkId: string;
  /** The worst stored status; `unreachable` when the host was not reached, `not-run` when reached
   *  but the check left no result (the host failed earlier, or the check does not apply). */
  readonly status: CheckStatus | 'unreachable' | 'not-run';
  readonly severity: Severity | null;
  /** Messages of every result, one per line. */
  readonly message: string;
  readonly fix: string | null;
  readonly fixStatus: FixStatus | null;
}

/** Check ids of a run, sorted. */
export function checkIdsOf(checks: readonly CheckRow[]): string[] {
  return [...new Set(checks.map((c) => c.checkId))].sort();
}

/** Every host (run order; hosts known only from check rows last) × every check id (sorted). */
export function hostCheckGrid(data: RunData): GridCell[] {
  const byCell = new Map<string, CheckRow[]>();
  for (const c of data.checks) {
    const key = `${c.host}\u0000${c.checkId}`;
    const list = byCell.get(key);
    if (list) list.push(c);
    else byCell.set(key, [c]);
  }
  const hosts = data.hosts.map((h) => ({ host: h.host, status: h.status, reason: h.reason }));
  const known = new Set(hosts.map((h) => h.host));
  for (const c of data.checks) {
    if (!known.has(c.host)) {
      known.add(c.host);
      hosts.push({ host: c.host, status: 'ok', reason: null });
    }
  }
  const ids = checkIdsOf(data.checks);
  const out: GridCell[] = [];
  for (const h of hosts) {
    for (const checkId of ids) {
      const rows = byCell.get(`${h.host}\u0000${checkId}`) ?? [];
      const base = { host: h.host, hostStatus: h.status, hostReason: h.reason, checkId };
      if (rows.length === 0) {
        const status = h.status === 'unreachable' ? 'unreachable' : 'not-run';
        out.push({
          ...base,
          status,
          severity: null,
          message: status === 'unreachable' ? (h.reason ?? 'unreachable') : 'no result',
          fix: null,
          fixStatus: null,
        });
        continue;
      }
      out.push({
        ...base,
        status: rows.map((r) => r.status).reduce(worseStatus),
        severity: rows.map((r) => r.severity).reduce(worseSeverity),
        message: rows.map((r) => r.message).join('\n'),
        fix:
          rows
            .map((r) => r.fix)
            .filter((f): f is string => !!f)
            .join('\n') || null,
        fixStatus: rows.find((r) => r.fixStatus)?.fixStatus ?? null,
      });
    }
  }
  return out;
}
