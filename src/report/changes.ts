/**
 * What changed since the previous runs of the same playbook: new failures, fixed, still failing and
 * flapping checks, and hosts that became (un)reachable. Pure: takes stored rows, returns a list.
 */
import type { CheckStatus, Severity } from '../core/check.js';
import type { HostStatus } from '../core/result.js';
import type { CheckRow, HostRow } from '../store/types.js';
import { isFailing, worseSeverity, worseStatus } from './status.js';

export type ChangeKind = 'new' | 'fixed' | 'still' | 'flapping';

/** One host × check whose failing state is worth a line in "changes". */
export interface CheckChange {
  readonly host: string;
  readonly checkId: string;
  readonly kind: ChangeKind;
  readonly severity: Severity;
  /** Latest known status before this run (the previous run, or earlier when the host was not
   *  checked then); null when never checked in the window. */
  readonly before: CheckStatus | null;
  readonly now: CheckStatus;
  /** Status per run in the window, oldest first, this run last; null = not checked in that run. */
  readonly history: readonly (CheckStatus | null)[];
}

export type HostChangeKind = 'unreachable' | 'reachable';

/** A host that stopped or started answering since the previous run. */
export interface HostChange {
  readonly host: string;
  readonly kind: HostChangeKind;
  readonly before: HostStatus | null;
  readonly now: HostStatus;
  readonly reason: string | null;
}

/** Worst status (and severity) per host × check of one run: a check may report several rows. */
export function statusByHostCheck(checks: readonly CheckRow[]): Map<string, { status: CheckStatus; severity: Severity }> {
  const out = new Map<string, { status: CheckStatus; severity: Severity }>();
  for (const c of checks) {
    const key = cellKey(c.host, c.checkId);
    const seen = out.get(key);
    out.set(
      key,
      seen
        ? { status: worseStatus(seen.status, c.status), severity: worseSeverity(seen.severity, c.severity) }
        : { status: c.status, severity: c.severity },
    );
  }
  return out;
}

/**
 * Classifies every host × check of the current run that is failing now or was failing when last
 * checked. `previous` holds earlier runs' rows, NEWEST FIRST (previous[0] is the run compared with).
 * Flapping wins over the others: over the window the check went from failing to not failing and
 * back (two or more transitions), whatever its state now, because "fixed" or "new" would mislead.
 */
export function classifyChanges(current: readonly CheckRow[], previous: readonly (readonly CheckRow[])[]): CheckChange[] {
  const now = statusByHostCheck(current);
  const past = previous.map(statusByHostCheck).reverse(); // oldest first
  const out: CheckChange[] = [];
  for (const [key, cur] of now) {
    const history = [...past.map((m) => m.get(key)?.status ?? null), cur.status];
    const known = history.slice(0, -1).filter((s): s is CheckStatus => s !== null);
    const before = known.at(-1) ?? null;
    const failingNow = isFailing(cur.status);
    const failingBefore = before !== null && isFailing(before);
    let kind: ChangeKind | undefined;
    if (transitions(history) >= 2) kind = 'flapping';
    else if (failingNow && failingBefore) kind = 'still';
    else if (failingNow) kind = 'new';
    else if (failingBefore) kind = 'fixed';
    if (!kind) continue;
    const [host, checkId] = splitKey(key);
    out.push({ host, checkId, kind, severity: cur.severity, before, now: cur.status, history });
  }
  return out.sort(byHostCheck);
}

/** Hosts unreachable now that were reachable (or absent) last time, and the reverse. */
export function classifyHostChanges(current: readonly HostRow[], previous: readonly HostRow[]): HostChange[] {
  const before = new Map(previous.map((h) => [h.host, h.status]));
  const out: HostChange[] = [];
  for (const h of current) {
    const was = before.get(h.host) ?? null;
    if (h.status === 'unreachable' && was !== 'unreachable')
      out.push({ host: h.host, kind: 'unreachable', before: was, now: h.status, reason: h.reason });
    else if (h.status !== 'unreachable' && was === 'unreachable')
      out.push({ host: h.host, kind: 'reachable', before: was, now: h.status, reason: h.reason });
  }
  return out.sort((a, b) => a.host.localeCompare(b.host));
}

/** Changes between failing and not failing over the runs where the check ran. */
function transitions(history: readonly (CheckStatus | null)[]): number {
  let count = 0;
  let last: boolean | undefined;
  for (const s of history) {
    if (s === null) continue;
    const failing = isFailing(s);
    if (last !== undefined && failing !== last) count++;
    last = failing;
  }
  return count;
}

// Host names cannot contain a NUL, so it separates host and check id unambiguously.
function cellKey(host: string, checkId: string): string {
  return `${host}\u0000${checkId}`;
}

function splitKey(key: string): [string, string] {
  const i = key.indexOf('\u0000');
  return [key.slice(0, i), key.slice(i + 1)];
}

function byHostCheck(a: CheckChange, b: CheckChange): number {
  return a.host.localeCompare(b.host) || a.checkId.localeCompare(b.checkId);
}
