/**
 * The machine-readable shape of one run, shared by `fleet export --format json` and `fleet run --json`:
 * a pure function of the stored rows, so both print the same document for the same run.
 */
import type { RunTimings } from '../engine/timings.js';
import type { CheckStatus, FixStatus, FleetCheckResult, Severity } from '../core/check.js';
import type { RunStatus } from '../core/result.js';
import type { CheckRow, HostRow, RunRow } from '../store/types.js';
import { worseSeverity, worseStatus } from './status.js';

export interface RunJsonCheck {
  readonly status: CheckStatus;
  readonly severity: Severity;
  readonly message: string;
  /** Only when --fix acted on it: fixed, still-failing, would-fix or fix-failed. */
  readonly fix_status?: FixStatus;
}

export interface RunJsonHost {
  /** ok (ok or changed), failed, unreachable, skipped, or unaudited (a sharded run's dead-lettered shard). */
  readonly status: 'ok' | 'failed' | 'unreachable' | 'skipped' | 'unaudited';
  /** True when a fix or task changed the host (stored status `changed`). */
  readonly changed: boolean;
  readonly reason: string | null;
  readonly checks: Record<string, RunJsonCheck>;
}

export interface RunJsonFleetCheck {
  readonly status: CheckStatus;
  readonly severity: Severity;
  readonly hosts: string[];
  readonly message: string;
}

export interface RunJson {
  readonly run_id: number;
  readonly playbook: string;
  readonly status: RunStatus;
  readonly limit: string | null;
  /** ISO 8601 UTC. */
  readonly started: string;
  readonly finished: string | null;
  readonly hosts: Record<string, RunJsonHost>;
  readonly fleet: Record<string, RunJsonFleetCheck>;
  /** Where the run's time went (absent for runs recorded before fleet kept it). */
  readonly timings?: RunTimings;
}

/**
 * Builds the run document. Hosts and checks keep the store's order. When a check reported several
 * results on one host (or a fleet check several findings), they merge into one entry: the worst
 * status and severity, messages joined by newlines, hosts united — so keys stay unique.
 */
export function buildRunJson(
  run: RunRow,
  hosts: readonly HostRow[],
  checks: readonly CheckRow[],
  fleet: readonly FleetCheckResult[],
): RunJson {
  const outHosts: Record<string, RunJsonHost> = Object.create(null);
  for (const h of hosts) {
    outHosts[h.host] = {
      status: h.status === 'changed' ? 'ok' : h.status,
      changed: h.status === 'changed',
      reason: h.reason,
      checks: Object.create(null),
    };
  }
  for (const c of checks) {
    // A check row for a host missing from run_hosts still belongs in the document.
    const host = (outHosts[c.host] ??= { status: 'ok', changed: false, reason: null, checks: Object.create(null) });
    const seen = host.checks[c.checkId];
    const fix = c.fixStatus ? { fix_status: c.fixStatus } : {};
    host.checks[c.checkId] = seen
      ? {
          status: worseStatus(seen.status, c.status),
          severity: worseSeverity(seen.severity, c.severity),
          message: `${seen.message}\n${c.message}`,
          ...(seen.fix_status ? { fix_status: seen.fix_status } : fix),
        }
      : { status: c.status, severity: c.severity, message: c.message, ...fix };
  }
  const outFleet: Record<string, RunJsonFleetCheck> = Object.create(null);
  for (const f of fleet) {
    const seen = outFleet[f.id];
    outFleet[f.id] = seen
      ? {
          status: worseStatus(seen.status, f.status),
          severity: worseSeverity(seen.severity, f.severity),
          hosts: [...new Set([...seen.hosts, ...f.hosts])],
          message: `${seen.message}\n${f.message}`,
        }
      : { status: f.status, severity: f.severity, hosts: [...f.hosts], message: f.message };
  }
  return {
    run_id: run.id,
    playbook: run.playbook,
    status: run.status,
    limit: run.limit,
    started: new Date(run.startedAt).toISOString(),
    finished: run.finishedAt === null ? null : new Date(run.finishedAt).toISOString(),
    hosts: outHosts,
    fleet: outFleet,
    ...(run.timings ? { timings: run.timings } : {}),
  };
}
