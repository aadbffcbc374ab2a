/**
 * The `--json` document: a stable interface for scripts and monitoring. Built from the run summary
 * (host outcomes) and the playbook result (checks); see README "JSON output".
 *
 *   { "run_id", "playbook", "mode", "status", "started", "finished", "stopped_reason",
 *     "hosts": { "<host>": { "status": "ok|failed|unreachable|skipped", "changed", "reason",
 *                            "checks": { "<id>": { "status", "severity", "message", "fix" } } } },
 *     "fleet": { "<id>": { "status", "severity", "hosts": [...], "message" } } }
 *
 * `fix` is null or what --fix/--check did: fixed, still-failing, fix-failed, would-fix.
 */
import type { CheckStatus, FleetCheckResult, Severity } from '../core/check.js';
import type { HostStatus } from '../core/result.js';
import type { RunSummary } from '../engine/run.js';
import type { FixStatus } from './host_state.js';
import type { PlaybookResult } from './runner.js';

export interface RunJsonCheck {
  readonly status: CheckStatus;
  readonly severity: Severity;
  readonly message: string;
  readonly fix: FixStatus;
}

export interface RunJsonHost {
  readonly status: 'ok' | 'failed' | 'unreachable' | 'skipped';
  /** Something changed on the host (only possible with --fix). */
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
  readonly mode: string;
  readonly status: string;
  readonly started: string;
  readonly finished: string;
  readonly stopped_reason: string | null;
  readonly hosts: Record<string, RunJsonHost>;
  readonly fleet: Record<string, RunJsonFleetCheck>;
}

const HOST_STATUS: Record<HostStatus, RunJsonHost['status']> = { ok: 'ok', changed: 'ok', failed: 'failed', unreachable: 'unreachable', skipped: 'skipped' };
const WORST: readonly CheckStatus[] = ['error', 'fail', 'warn', 'pass', 'skipped'];
const SEVERITY_ORDER: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** Several findings of one fleet check become one entry: worst status, all hosts, messages joined. */
function mergeFleet(results: readonly FleetCheckResult[]): Record<string, RunJsonFleetCheck> {
  const out: Record<string, RunJsonFleetCheck> = {};
  for (const r of results) {
    const prev = out[r.id];
    if (!prev) {
      out[r.id] = { status: r.status, severity: r.severity, hosts: [...r.hosts], message: r.message };
      continue;
    }
    out[r.id] = {
      status: WORST.indexOf(r.status) < WORST.indexOf(prev.status) ? r.status : prev.status,
      severity: SEVERITY_ORDER.indexOf(r.severity) < SEVERITY_ORDER.indexOf(prev.severity) ? r.severity : prev.severity,
      hosts: [...new Set([...prev.hosts, ...r.hosts])],
      message: `${prev.message}; ${r.message}`,
    };
  }
  return out;
}

/** Builds the --json document of a playbook run. */
export function buildRunJson(summary: RunSummary, result: PlaybookResult): RunJson {
  const hosts: Record<string, RunJsonHost> = {};
  for (const [name, outcome] of summary.outcomes) {
    const checks: Record<string, RunJsonCheck> = {};
    for (const [id, rec] of result.hosts.get(name)?.checks ?? []) {
      checks[id] = { status: rec.result.status, severity: rec.result.severity, message: rec.result.message, fix: rec.fixStatus };
    }
    hosts[name] = { status: HOST_STATUS[outcome.status], changed: outcome.status === 'changed', reason: outcome.reason ?? null, checks };
  }
  return {
    run_id: summary.runId,
    playbook: result.playbook,
    mode: result.mode,
    status: summary.status,
    started: new Date(summary.startedAt).toISOString(),
    finished: new Date(summary.finishedAt).toISOString(),
    stopped_reason: summary.stoppedReason ?? null,
    hosts,
    fleet: mergeFleet(result.fleet),
  };
}
