/**
 * `fleet diff A B`: per host and check, what differs between two runs (usually two runs of the same
 * playbook). Pure over RunData; formatted as text or JSON by the command.
 */
import type { CheckStatus, Severity } from '../core/check.js';
import type { HostStatus } from '../core/result.js';
import type { RunRow } from '../store/types.js';
import type { RunData } from './run-data.js';
import { natural } from './natural.js';
import { isFailing, worseSeverity, worseStatus } from './status.js';

/** One side of a check comparison; null when the run has no result for it. */
export interface DiffCheckSide {
  readonly status: CheckStatus;
  readonly severity: Severity;
  readonly message: string;
}

export type CheckDiffKind = 'new-failure' | 'fixed' | 'changed' | 'appeared' | 'disappeared';

export interface CheckDiff {
  readonly checkId: string;
  /** new-failure: failing in B, not failing in A; fixed: the reverse; changed: status or message
   *  changed otherwise; appeared/disappeared: only one run has a result (and it is not failing). */
  readonly kind: CheckDiffKind;
  readonly a: DiffCheckSide | null;
  readonly b: DiffCheckSide | null;
}

export interface HostDiff {
  readonly host: string;
  /** Host status in each run; null when the host took no part. */
  readonly a: HostStatus | null;
  readonly b: HostStatus | null;
  readonly reasonA: string | null;
  readonly reasonB: string | null;
  readonly checks: readonly CheckDiff[];
}

export interface FleetDiff {
  readonly checkId: string;
  readonly kind: CheckDiffKind;
  readonly a: (DiffCheckSide & { hosts: string[] }) | null;
  readonly b: (DiffCheckSide & { hosts: string[] }) | null;
}

export interface RunDiff {
  readonly a: RunRow;
  readonly b: RunRow;
  /** Only hosts with a difference, sorted by name. */
  readonly hosts: readonly HostDiff[];
  readonly fleet: readonly FleetDiff[];
  readonly summary: { readonly newFailures: number; readonly fixed: number; readonly changed: number; readonly hostsChanged: number };
}

/** What changed from run A to run B. */
export function diffRuns(a: RunData, b: RunData): RunDiff {
  const checksA = sidesByHost(a);
  const checksB = sidesByHost(b);
  const hostA = new Map(a.hosts.map((h) => [h.host, h]));
  const hostB = new Map(b.hosts.map((h) => [h.host, h]));
  const names = [...new Set([...hostA.keys(), ...hostB.keys(), ...checksA.keys(), ...checksB.keys()])].sort(natural);
  const hosts: HostDiff[] = [];
  for (const host of names) {
    const ca = checksA.get(host) ?? new Map<string, DiffCheckSide>();
    const cb = checksB.get(host) ?? new Map<string, DiffCheckSide>();
    const checks: CheckDiff[] = [];
    for (const checkId of [...new Set([...ca.keys(), ...cb.keys()])].sort()) {
      const kind = compare(ca.get(checkId) ?? null, cb.get(checkId) ?? null);
      if (kind) checks.push({ checkId, kind, a: ca.get(checkId) ?? null, b: cb.get(checkId) ?? null });
    }
    const ha = hostA.get(host);
    const hb = hostB.get(host);
    const statusA = ha?.status ?? null;
    const statusB = hb?.status ?? null;
    if (checks.length > 0 || statusA !== statusB) {
      hosts.push({ host, a: statusA, b: statusB, reasonA: ha?.reason ?? null, reasonB: hb?.reason ?? null, checks });
    }
  }
  const fleet = diffFleet(a, b);
  const all = [...hosts.flatMap((h) => h.checks), ...fleet];
  return {
    a: a.run,
    b: b.run,
    hosts,
    fleet,
    summary: {
      newFailures: all.filter((c) => c.kind === 'new-failure').length,
      fixed: all.filter((c) => c.kind === 'fixed').length,
      changed: all.filter((c) => c.kind === 'changed' || c.kind === 'appeared' || c.kind === 'disappeared').length,
      hostsChanged: hosts.filter((h) => h.a !== h.b).length,
    },
  };
}

function compare(a: DiffCheckSide | null, b: DiffCheckSide | null): CheckDiffKind | undefined {
  const failA = a !== null && isFailing(a.status);
  const failB = b !== null && isFailing(b.status);
  // A check absent on one side (host unreachable, or check added) is only a fix/failure when the
  // other side is known: absent → failing is still news, failing → absent is not a fix.
  if (failB && !failA) return 'new-failure';
  if (failA && !failB && b !== null) return 'fixed';
  if (a === null) return b === null ? undefined : 'appeared';
  if (b === null) return 'disappeared';
  if (a.status !== b.status || a.severity !== b.severity || a.message !== b.message) return 'changed';
  return undefined;
}

function sidesByHost(data: RunData): Map<string, Map<string, DiffCheckSide>> {
  const out = new Map<string, Map<string, DiffCheckSide>>();
  for (const c of data.checks) {
    let host = out.get(c.host);
    if (!host) out.set(c.host, (host = new Map()));
    const seen = host.get(c.checkId);
    host.set(
      c.checkId,
      seen
        ? {
            status: worseStatus(seen.status, c.status),
            severity: worseSeverity(seen.severity, c.severity),
            message: `${seen.message}\n${c.message}`,
          }
        : { status: c.status, severity: c.severity, message: c.message },
    );
  }
  return out;
}

function diffFleet(a: RunData, b: RunData): FleetDiff[] {
  const side = (data: RunData) => {
    const m = new Map<string, DiffCheckSide & { hosts: string[] }>();
    for (const f of data.fleet) {
      const seen = m.get(f.id);
      m.set(
        f.id,
        seen
          ? {
              status: worseStatus(seen.status, f.status),
              severity: worseSeverity(seen.severity, f.severity),
              message: `${seen.message}\n${f.message}`,
              hosts: [...new Set([...seen.hosts, ...f.hosts])],
            }
          : { status: f.status, severity: f.severity, message: f.message, hosts: [...f.hosts] },
      );
    }
    return m;
  };
  const fa = side(a);
  const fb = side(b);
  const out: FleetDiff[] = [];
  for (const checkId of [...new Set([...fa.keys(), ...fb.keys()])].sort()) {
    const sa = fa.get(checkId) ?? null;
    const sb = fb.get(checkId) ?? null;
    let kind = compare(sa, sb);
    if (!kind && sa && sb && [...sa.hosts].sort().join('\n') !== [...sb.hosts].sort().join('\n')) kind = 'changed';
    if (kind) out.push({ checkId, kind, a: sa, b: sb });
  }
  return out;
}
