/** Small builders for stored rows, for the report's pure unit tests. */
import type { CheckStatus, FleetCheckResult, Severity } from '../../../src/core/check.js';
import type { HostStatus } from '../../../src/core/result.js';
import type { RunData } from '../../../src/report/run-data.js';
import type { CheckRow, HostRow, RunRow } from '../../../src/store/types.js';

export const T0 = Date.UTC(2025, 0, 2, 3, 4, 5);

export function run(over: Partial<RunRow> = {}): RunRow {
  return {
    id: 7,
    playbook: 'health-check',
    inventorySources: ['inv.yml'],
    limit: null,
    options: {},
    controller: 'ctl',
    pid: 1,
    user: 'ops',
    startedAt: T0,
    finishedAt: T0 + 61_500,
    status: 'failed',
    hostCounts: {},
    ...over,
  };
}

export function host(name: string, status: HostStatus = 'ok', reason: string | null = null, runId = 7): HostRow {
  return { runId, host: name, status, reason, startedAt: T0, finishedAt: T0 + 2_000 };
}

export function check(hostName: string, checkId: string, status: CheckStatus = 'pass', over: Partial<CheckRow> = {}): CheckRow {
  return {
    runId: 7,
    host: hostName,
    checkId,
    status,
    severity: 'high' as Severity,
    message: `${checkId} ${status} on ${hostName}`,
    evidence: status === 'pass' ? undefined : { seen: hostName },
    fix: status === 'fail' ? `fix ${checkId}` : null,
    fixStatus: null,
    ...over,
  };
}

export function fleetCheck(id: string, status: CheckStatus, hosts: string[], over: Partial<FleetCheckResult> = {}): FleetCheckResult {
  return { id, status, severity: 'high', message: `${id} ${status}`, hosts, ...over };
}

export function data(
  hosts: HostRow[],
  checks: CheckRow[],
  fleet: FleetCheckResult[] = [],
  r: RunRow = run(),
  groups: ReadonlyMap<string, readonly string[]> = new Map(),
): RunData {
  return { run: r, hosts, checks, fleet, groups };
}
