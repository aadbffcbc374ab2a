/** `fleet diff` as text for a terminal: host-controlled strings pass through oneLine(). */
import { oneLine } from '../output/terminal-safe.js';
import type { RunRow } from '../store/types.js';
import type { CheckDiffKind, DiffCheckSide, RunDiff } from './diff.js';

const LABEL: Record<CheckDiffKind, string> = {
  'new-failure': 'NEW FAILURE',
  fixed: 'fixed',
  changed: 'changed',
  appeared: 'appeared',
  disappeared: 'gone',
};

/** Human-readable diff; "no differences" when there are none. */
export function formatDiff(d: RunDiff): string {
  const out: string[] = [`--- run ${describe(d.a)}`, `+++ run ${describe(d.b)}`];
  const checkWidth = Math.max(
    10,
    ...d.hosts.flatMap((h) => h.checks.map((c) => c.checkId.length)),
    ...d.fleet.map((f) => f.checkId.length),
  );
  for (const h of d.hosts) {
    const status = h.a === h.b ? `${h.b}` : `${h.a ?? 'absent'} -> ${h.b ?? 'absent'}`;
    const reason = h.b === 'unreachable' || h.b === 'failed' ? h.reasonB : h.a !== h.b ? h.reasonA : null;
    out.push(`${oneLine(h.host, 120)}  [${status}]${reason ? `  ${oneLine(reason, 160)}` : ''}`);
    for (const c of h.checks) out.push(`  ${LABEL[c.kind].padEnd(11)} ${oneLine(c.checkId).padEnd(checkWidth)}  ${transition(c.a, c.b)}`);
  }
  if (d.fleet.length > 0) {
    out.push('(fleet-wide)');
    for (const f of d.fleet) {
      const hosts = (f.b ?? f.a)?.hosts ?? [];
      out.push(
        `  ${LABEL[f.kind].padEnd(11)} ${oneLine(f.checkId).padEnd(checkWidth)}  ${transition(f.a, f.b)}  hosts: ${oneLine(hosts.join(', '), 200)}`,
      );
    }
  }
  const s = d.summary;
  if (d.hosts.length === 0 && d.fleet.length === 0) out.push('no differences');
  out.push(
    `${s.newFailures} new failure${s.newFailures === 1 ? '' : 's'}, ${s.fixed} fixed, ${s.changed} other change${s.changed === 1 ? '' : 's'}, ${s.hostsChanged} host${s.hostsChanged === 1 ? '' : 's'} changed status`,
  );
  return `${out.join('\n')}\n`;
}

function transition(a: DiffCheckSide | null, b: DiffCheckSide | null): string {
  const st = `${a?.status ?? '-'} -> ${b?.status ?? '-'}`.padEnd(16);
  const side = b ?? a;
  const msgChanged = a && b && a.message !== b.message && a.status === b.status;
  return `${st} ${side ? side.severity.padEnd(8) : ''} ${side ? oneLine(side.message, 160) : ''}${msgChanged ? `  (was: ${oneLine(a.message, 100)})` : ''}`.trimEnd();
}

function describe(r: RunRow): string {
  return `${r.id}  ${oneLine(r.playbook, 60)}  ${new Date(r.startedAt).toISOString().replace('T', ' ').slice(0, 19)} UTC  ${r.status}`;
}
