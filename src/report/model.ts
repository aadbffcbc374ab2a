/**
 * The report's data island: everything the page shows, as compact JSON (1,000 hosts × 30 checks must
 * stay well under 5 MB). Big collections are tuples and one-letter codes; repeated text (messages,
 * evidence, fixes, reasons, fact keys and values) is interned once in `strings`. Pure: built from rows.
 */
import { formatTimings } from '../engine/timings.js';
import type { CheckStatus, FixStatus, Severity } from '../core/check.js';
import type { HostStatus, RunStatus } from '../core/result.js';
import type { CheckRow, HostRow, RunRow } from '../store/types.js';
import { classifyChanges, classifyHostChanges, type ChangeKind } from './changes.js';
import { natural } from './natural.js';
import { groupsFromFacts, summariseFacts } from './facts-summary.js';
import type { ReportStep } from './steps.js';
import { rankFailingChecks } from './rank.js';
import type { RunData } from './run-data.js';
import { computeTiles, type Tiles } from './tiles.js';
import { isFailing, severityRank, statusRank, worseSeverity } from './status.js';

/** One-letter status codes in `cells` and details; `.` = no result. */
export const STATUS_CODE: Record<CheckStatus, string> = { pass: 'p', fail: 'f', error: 'e', warn: 'w', skipped: 's' };
export const SEVERITY_CODE: Record<Severity, string> = { critical: 'c', high: 'h', medium: 'm', low: 'l', info: 'i' };
export const FIX_CODE: Record<FixStatus, string> = {
  fixed: 'F',
  'still-failing': 'S',
  'would-fix': 'W',
  'fix-failed': 'X',
};
export const CHANGE_CODE: Record<ChangeKind, string> = { new: 'n', fixed: 'x', still: 's', flapping: 'f' };

/** Evidence longer than this (as JSON) is cut: the drill-down is a summary, `fleet show` has it all. */
export const EVIDENCE_MAX = 2000;

export interface ModelRun {
  readonly id: number;
  readonly playbook: string;
  readonly status: RunStatus;
  readonly limit: string | null;
  readonly startedAt: number;
  readonly finishedAt: number | null;
  readonly controller: string;
  readonly user: string;
  readonly inventory: readonly string[];
  /** Where the run's time went, one line (engine/timings.ts); null for runs recorded before. */
  readonly timings: string | null;
}

export interface ModelCheck {
  readonly id: string;
  /** Worst severity among its results. */
  readonly severity: Severity;
  /** Hosts where it fails or errors. */
  readonly failing: number;
}

/** [name, host status, reason string index or -1, group indexes, facts: flat [key, value] string indexes]. */
export type ModelHost = [string, HostStatus, number, number[], number[]];

/** A step that changed the host or failed on its own: [name, step status, message or -1, output or -1] (string indexes). */
export type ModelStep = [number, string, number, number];

/** [check index, codes (status + severity + optional fix letter), message, evidence?, fix?] (string
 *  indexes; evidence -1 when only a fix is present; trailing absent ones are left out to save bytes). */
export type ModelResult = [number, string, number, number?, number?];

export interface ModelFleet {
  readonly id: string;
  readonly status: CheckStatus;
  readonly severity: Severity;
  readonly message: string;
  readonly hosts: readonly string[];
  readonly evidence: string | null;
}

export interface ModelChanges {
  readonly previous: { readonly id: number; readonly startedAt: number; readonly status: RunStatus };
  /** How many runs the flapping window spans, this one included. */
  readonly window: number;
  /** The window's runs, oldest first, this one last: [id, startedAt]; history codes index into it. */
  readonly runs: readonly [number, number][];
  /** [host index, check index, change code, history: one status code per run in the window, oldest first]. */
  readonly checks: readonly [number, number, string, string][];
  /** [host index, 'unreachable' | 'reachable', status before or null]. */
  readonly hosts: readonly [number, string, HostStatus | null][];
}

export interface ModelTrendPoint {
  readonly id: number;
  readonly startedAt: number;
  readonly status: RunStatus;
  readonly hosts: number;
  readonly failed: number;
  readonly unreachable: number;
}

export interface ReportModel {
  readonly version: 1;
  readonly generatedAt: number;
  readonly run: ModelRun;
  readonly tiles: Tiles;
  /** Matrix columns, sorted by id. */
  readonly checks: readonly ModelCheck[];
  readonly groups: readonly string[];
  readonly strings: readonly string[];
  /** Sorted: failing hosts first (most failing checks first), then unreachable, then the rest; by name within. */
  readonly hosts: readonly ModelHost[];
  /** Per host, one status code per check column. */
  readonly cells: readonly string[];
  /** Per host, every stored result. */
  readonly details: readonly (readonly ModelResult[])[];
  /** Per host, what fleet did there: steps that changed it or failed on their own (report/steps.ts). */
  readonly steps: readonly (readonly ModelStep[])[];
  /** Failing checks, most hosts first: [check index, host indexes]. */
  readonly ranked: readonly [number, number[]][];
  readonly fleet: readonly ModelFleet[];
  /** Null when there is no earlier finished run of the playbook. */
  readonly changes: ModelChanges | null;
  /** Oldest first, this run last. */
  readonly trend: readonly ModelTrendPoint[];
  /** Set by `fleet serve`: where the history and the previous run's report are (absent in files). */
  readonly links?: { readonly history: string; readonly previous: string | null };
}

/** What assembleReport needs, all read from the store beforehand. */
export interface ReportInput {
  readonly data: RunData;
  readonly facts: ReadonlyMap<string, unknown>;
  /** The run compared with, and its hosts; null when none. */
  readonly previous: { readonly run: RunRow; readonly hosts: readonly HostRow[] } | null;
  /** Earlier runs of the window (flapping, "since when") with their check rows, NEWEST FIRST (history[0] = previous run). */
  readonly history: readonly { readonly run: Pick<RunRow, 'id' | 'startedAt'>; readonly checks: readonly CheckRow[] }[];
  /** Runs for the trend chart, oldest first, this run included. */
  readonly trend: readonly RunRow[];
  /** Host → the steps worth showing in its drill-down (report/steps.ts); absent = none. */
  readonly steps?: ReadonlyMap<string, readonly ReportStep[]>;
  readonly generatedAt: number;
}

/** Builds the data island. */
export function assembleReport(input: ReportInput): ReportModel {
  const { data } = input;
  const strings = new Interner();

  const checkIds = [...new Set(data.checks.map((c) => c.checkId))].sort();
  const checkIndex = new Map(checkIds.map((id, i) => [id, i]));
  const ranked = rankFailingChecks(data.checks);
  const failingCount = new Map(ranked.map((r) => [r.checkId, r.hosts.length]));
  const checkSeverity = new Map<string, Severity>();
  for (const c of data.checks) checkSeverity.set(c.checkId, worseSeverity(checkSeverity.get(c.checkId) ?? 'info', c.severity));
  const checks: ModelCheck[] = checkIds.map((id) => ({
    id,
    severity: checkSeverity.get(id) ?? 'info',
    failing: failingCount.get(id) ?? 0,
  }));

  // Hosts: the run's, plus any known only from check rows.
  const hostRows = new Map<string, Pick<HostRow, 'host' | 'status' | 'reason'>>(data.hosts.map((h) => [h.host, h]));
  for (const c of data.checks) if (!hostRows.has(c.host)) hostRows.set(c.host, { host: c.host, status: 'ok', reason: null });
  const byHost = new Map<string, CheckRow[]>();
  for (const c of data.checks) {
    const list = byHost.get(c.host);
    if (list) list.push(c);
    else byHost.set(c.host, [c]);
  }
  const failingOf = (host: string) => new Set((byHost.get(host) ?? []).filter((c) => isFailing(c.status)).map((c) => c.checkId)).size;
  const order = (s: HostStatus, failing: number) => (failing > 0 || s === 'failed' ? 0 : s === 'unreachable' ? 1 : 2);
  const sortedHosts = [...hostRows.values()]
    .map((h) => ({ ...h, failing: failingOf(h.host) }))
    .sort((a, b) => order(a.status, a.failing) - order(b.status, b.failing) || b.failing - a.failing || natural(a.host, b.host));
  const hostIndex = new Map(sortedHosts.map((h, i) => [h.host, i]));

  const groupNames = new Map<string, number>();
  const groupOf = (g: string) => {
    let i = groupNames.get(g);
    if (i === undefined) groupNames.set(g, (i = groupNames.size));
    return i;
  };

  const hosts: ModelHost[] = [];
  const cells: string[] = [];
  const details: ModelResult[][] = [];
  for (const h of sortedHosts) {
    const facts = input.facts.get(h.host);
    // Recorded groups (schema v3); older runs may carry them in their facts.
    const groups = (input.data.groups.get(h.host) ?? groupsFromFacts(facts)).map(groupOf);
    const factPairs = summariseFacts(facts, 24, 240).flatMap(([k, v]) => [strings.add(k), strings.add(v)]);
    hosts.push([h.host, h.status, h.reason ? strings.add(h.reason) : -1, groups, factPairs]);
    const rows = byHost.get(h.host) ?? [];
    const worst = new Array<CheckStatus | null>(checkIds.length).fill(null);
    const results: ModelResult[] = [];
    for (const c of rows) {
      const k = checkIndex.get(c.checkId) ?? 0;
      const seen = worst[k] ?? null;
      if (seen === null || statusRank(c.status) < statusRank(seen)) worst[k] = c.status;
      const codes = STATUS_CODE[c.status] + SEVERITY_CODE[c.severity] + (c.fixStatus ? FIX_CODE[c.fixStatus] : '');
      const ev = evidenceIndex(strings, c.evidence);
      const result: ModelResult = [k, codes, strings.add(c.message)];
      if (c.fix) result.push(ev, strings.add(c.fix));
      else if (ev >= 0) result.push(ev);
      results.push(result);
    }
    cells.push(worst.map((s) => (s === null ? '.' : STATUS_CODE[s])).join(''));
    details.push(results);
  }

  return {
    version: 1,
    generatedAt: input.generatedAt,
    run: {
      id: data.run.id,
      playbook: data.run.playbook,
      status: data.run.status,
      limit: data.run.limit,
      startedAt: data.run.startedAt,
      finishedAt: data.run.finishedAt,
      controller: data.run.controller,
      user: data.run.user,
      inventory: data.run.inventorySources,
      timings: data.run.timings ? formatTimings(data.run.timings) : null,
    },
    tiles: computeTiles(data),
    checks,
    groups: [...groupNames.keys()],
    strings: strings.list,
    hosts,
    cells,
    details,
    steps: sortedHosts.map((h) =>
      (input.steps?.get(h.host) ?? []).map((s): ModelStep => [
        strings.add(s.name),
        s.status,
        s.message ? strings.add(s.message) : -1,
        s.output ? strings.add(s.output) : -1,
      ]),
    ),
    ranked: ranked.map((r) => [checkIndex.get(r.checkId) ?? 0, r.hosts.map((h) => hostIndex.get(h) ?? 0)]),
    fleet: data.fleet.map((f) => ({
      id: f.id,
      status: f.status,
      severity: f.severity,
      message: f.message,
      hosts: f.hosts,
      evidence: evidenceText(f.evidence),
    })),
    changes: input.previous ? changesOf(input, hostIndex, checkIndex) : null,
    trend: input.trend.map((r) => ({
      id: r.id,
      startedAt: r.startedAt,
      status: r.status,
      hosts: Object.values(r.hostCounts).reduce((a, b) => a + (b ?? 0), 0),
      failed: r.hostCounts.failed ?? 0,
      unreachable: r.hostCounts.unreachable ?? 0,
    })),
  };
}

function changesOf(input: ReportInput, hostIndex: Map<string, number>, checkIndex: Map<string, number>): ModelChanges | null {
  const prev = input.previous;
  if (!prev) return null;
  const checkChanges = classifyChanges(
    input.data.checks,
    input.history.map((h) => h.checks),
  );
  const hostChanges = classifyHostChanges(input.data.hosts, prev.hosts);
  const code = (s: CheckStatus | null) => (s === null ? '.' : STATUS_CODE[s]);
  return {
    previous: { id: prev.run.id, startedAt: prev.run.startedAt, status: prev.run.status },
    window: input.history.length + 1,
    runs: [
      ...input.history.map((h): [number, number] => [h.run.id, h.run.startedAt]).reverse(),
      [input.data.run.id, input.data.run.startedAt],
    ],
    checks: checkChanges
      .sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || a.checkId.localeCompare(b.checkId) || natural(a.host, b.host))
      .map((c) => [hostIndex.get(c.host) ?? 0, checkIndex.get(c.checkId) ?? 0, CHANGE_CODE[c.kind], c.history.map(code).join('')]),
    hosts: hostChanges.map((h) => [hostIndex.get(h.host) ?? 0, h.kind, h.before]),
  };
}

function evidenceIndex(strings: Interner, evidence: unknown): number {
  const text = evidenceText(evidence);
  return text === null ? -1 : strings.add(text);
}

/** Compact JSON of the evidence, cut at EVIDENCE_MAX (the page pretty-prints what still parses). */
export function evidenceText(evidence: unknown): string | null {
  if (evidence === undefined || evidence === null) return null;
  let text: string;
  try {
    text = typeof evidence === 'string' ? evidence : JSON.stringify(evidence);
  } catch {
    text = String(evidence);
  }
  if (text === undefined) return null;
  return text.length > EVIDENCE_MAX
    ? `${text.slice(0, EVIDENCE_MAX)}… [${text.length - EVIDENCE_MAX} more characters: fleet show RUN --host HOST --json]`
    : text;
}

/** Each distinct string once; `add` returns its index. */
class Interner {
  readonly list: string[] = [];
  private readonly index = new Map<string, number>();
  add(text: string): number {
    let i = this.index.get(text);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(text);
      this.index.set(text, i);
    }
    return i;
  }
}
