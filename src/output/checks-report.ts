/**
 * Human view of check results after `fleet run`: failing checks grouped by check id (worst first),
 * each host with its own one-line message, then fleet-wide findings. 200 hosts with the same fault
 * are one block, not 200 scattered lines.
 */
import type { CheckResult, FleetCheckResult, Severity } from '../core/check.js';
import { abbreviate } from './summary.js';
import { oneLine } from './terminal-safe.js';

export interface HostCheck {
  readonly host: string;
  readonly result: CheckResult;
  readonly fixStatus: string | null;
}

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };
const SHOWN = new Set(['fail', 'warn', 'error']);

export function formatCheckReport(
  checks: readonly HostCheck[],
  fleet: readonly FleetCheckResult[],
  opts: { maxHostsPerCheck?: number } = {},
): string {
  const max = opts.maxHostsPerCheck ?? 10;
  const byId = new Map<string, HostCheck[]>();
  for (const c of checks) {
    // A fixed check is worth showing even though it now passes.
    if (!SHOWN.has(c.result.status) && c.fixStatus !== 'fixed') continue;
    byId.set(c.result.id, [...(byId.get(c.result.id) ?? []), c]);
  }
  const groups = [...byId.entries()].sort(([, a], [, b]) => worst(a) - worst(b) || b.length - a.length);
  const out: string[] = [];
  for (const [id, list] of groups) {
    const sev = list.reduce<Severity>((s, c) => (SEVERITY_RANK[c.result.severity] < SEVERITY_RANK[s] ? c.result.severity : s), 'info');
    out.push(`${id} (${sev}) on ${list.length} host${list.length === 1 ? '' : 's'}:`);
    for (const c of list.slice(0, max)) {
      const fix = c.fixStatus ? ` [${c.fixStatus}]` : '';
      out.push(`  ${c.result.status.toUpperCase().padEnd(5)} ${oneLine(c.host, 60)}: ${oneLine(c.result.message, 240)}${fix}`);
    }
    if (list.length > max) out.push(`  … and ${list.length - max} more: ${abbreviate(list.slice(max).map((c) => c.host))}`);
    const fix = list.find((c) => c.result.fix && c.result.status !== 'pass')?.result.fix;
    if (fix) out.push(`  fix: ${oneLine(fix, 300)}`);
  }
  const fleetShown = fleet.filter((f) => SHOWN.has(f.status));
  if (fleetShown.length) out.push('fleet-wide:');
  for (const f of fleetShown) {
    out.push(`  ${f.status.toUpperCase().padEnd(5)} ${f.id} (${f.severity}): ${oneLine(f.message, 240)}`);
    out.push(`        hosts: ${abbreviate(f.hosts, 20)}`);
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

function worst(list: readonly HostCheck[]): number {
  return Math.min(
    ...list.map((c) => SEVERITY_RANK[c.result.severity] * 10 + (c.result.status === 'fail' || c.result.status === 'error' ? 0 : 5)),
  );
}
