/** The end-of-run recap: failed and unreachable hosts first, with reasons; then counts. */
import type { HostOutcome } from '../engine/events.js';
import type { HostStatus } from '../core/result.js';
import { oneLine } from './terminal-safe.js';

const ORDER: HostStatus[] = ['failed', 'unreachable', 'unaudited', 'changed', 'ok', 'skipped'];

export function formatRunSummary(
  runId: number,
  outcomes: ReadonlyMap<string, HostOutcome>,
  opts: { interrupted: boolean; stoppedReason?: string; durationMs: number },
): string {
  const groups = new Map<HostStatus, [string, HostOutcome][]>();
  for (const entry of outcomes) {
    const list = groups.get(entry[1].status) ?? [];
    list.push(entry);
    groups.set(entry[1].status, list);
  }
  const lines: string[] = [];
  for (const status of ['failed', 'unreachable', 'unaudited'] as const) {
    const list = groups.get(status);
    if (!list?.length) continue;
    lines.push(`${status.toUpperCase()} (${list.length}):`);
    // Hosts sharing a reason are listed together: 200 hosts with the same fault is one line to read.
    const byReason = new Map<string, string[]>();
    for (const [host, o] of list) {
      const r = oneLine(o.reason ?? 'no reason given');
      byReason.set(r, [...(byReason.get(r) ?? []), host]);
    }
    for (const [reason, hosts] of byReason) lines.push(`  ${abbreviate(hosts)}: ${reason}`);
  }
  // `unaudited` (a sharded run's dead-lettered shard) only shows when there is some.
  const counts = ORDER.filter((s) => s !== 'unaudited' || groups.has(s))
    .map((s) => `${s} ${groups.get(s)?.length ?? 0}`)
    .join('  ');
  lines.push(`run ${runId}: ${outcomes.size} host(s)  ${counts}  in ${(opts.durationMs / 1000).toFixed(1)}s`);
  if (opts.stoppedReason) lines.push(`run stopped early: ${oneLine(opts.stoppedReason)}`);
  if (opts.interrupted) lines.push('run INTERRUPTED: finished results are stored; hosts not started are recorded as skipped');
  return `${lines.join('\n')}\n`;
}

/** "hv01, hv02, hv03 … (+12 more)" */
export function abbreviate(hosts: readonly string[], max = 8): string {
  const shown = hosts
    .slice(0, max)
    .map((h) => oneLine(h, 80))
    .join(', ');
  return hosts.length > max ? `${shown} … (+${hosts.length - max} more)` : shown;
}
