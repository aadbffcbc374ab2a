/**
 * A run's results as they happen, collected from its event stream into the same rows the store
 * keeps. `fleet run --json` and the check summary are built from here, by the same functions that
 * `fleet export` and reports use on stored rows, so a run never reads back what it just wrote (and
 * its results still reach the user when the DB cannot take them).
 */
import type { CheckResult, FixStatus, FleetCheckResult } from '../core/check.js';
import type { Redactor } from '../core/redact.js';
import type { HostOutcome, HostTimes, RunEndInfo, RunMeta, RunObserver, RunStartInfo } from '../engine/events.js';
import type { HostCheck } from '../output/checks-report.js';
import type { CheckRow, HostRow, RunRow } from '../store/types.js';
import { buildRunJson, type RunJson } from './run-json.js';

const SHOWN = new Set(['fail', 'warn', 'error']);

export interface LiveRunOptions {
  /** The same masking the store applies before it writes. */
  readonly redact: Redactor;
  /** Keep every check result (for --json); otherwise only what the human summary shows. */
  readonly keepAllChecks: boolean;
}

export class LiveRun implements RunObserver {
  #runId = 0;
  #meta: RunMeta | undefined;
  #end: RunEndInfo | undefined;
  readonly #hosts = new Map<string, Omit<HostRow, 'runId'>>();
  /** Every check result in order (keepAllChecks), as the store's rows. */
  readonly #rows: CheckRow[] = [];
  /** Per host and check id, the last result when it is worth showing. */
  readonly #latest = new Map<string, Map<string, HostCheck>>();
  readonly #fleet: FleetCheckResult[] = [];

  constructor(private readonly opts: LiveRunOptions) {}

  onRunStart(info: RunStartInfo): void {
    this.#runId = info.runId;
    this.#meta = info.meta;
  }

  onHostStart(host: string, startedAt: number): void {
    this.#hosts.set(host, { host, status: 'skipped', reason: 'in progress', startedAt, finishedAt: null });
  }

  onHostDone(host: string, outcome: HostOutcome, times: HostTimes): void {
    const reason = outcome.reason === undefined ? null : this.opts.redact(outcome.reason);
    this.#hosts.set(host, { host, status: outcome.status, reason, ...times });
  }

  onCheck(host: string, check: CheckResult, fixStatus: FixStatus | null): void {
    const { evidence: _evidence, ...verdict } = check;
    const redacted: CheckResult = { ...verdict, message: this.opts.redact(check.message) };
    if (this.opts.keepAllChecks) this.#rows.push(rowOf(this.#runId, host, redacted, fixStatus));
    let byId = this.#latest.get(host);
    // The last evaluation wins: a check that passes after its fix replaces the failure.
    if (SHOWN.has(check.status) || fixStatus === 'fixed') {
      if (!byId) this.#latest.set(host, (byId = new Map()));
      byId.set(check.id, { host, result: redacted, fixStatus });
    } else byId?.delete(check.id);
  }

  onFleetCheck(check: FleetCheckResult): void {
    this.#fleet.push({ ...check, message: this.opts.redact(check.message) });
  }

  onRunEnd(info: RunEndInfo): void {
    this.#end = info;
  }

  /** The checks the human summary shows (failing, warning, erroring, or fixed), by host. */
  hostChecks(): HostCheck[] {
    return [...this.#latest.values()].flatMap((m) => [...m.values()]);
  }

  get fleet(): readonly FleetCheckResult[] {
    return this.#fleet;
  }

  /** The run document, exactly as `fleet export RUN --format json` prints it from the store. */
  json(): RunJson {
    if (!this.opts.keepAllChecks) throw new Error('LiveRun: json() needs keepAllChecks');
    const end = this.#end;
    const meta = this.#meta;
    if (!meta) throw new Error('LiveRun: json() before the run started');
    const run: RunRow = {
      ...meta,
      id: this.#runId,
      finishedAt: end?.finishedAt ?? null,
      status: end?.status ?? 'running',
      hostCounts: {},
    };
    // The store lists hosts by name.
    const hosts = [...this.#hosts.values()].sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
    return buildRunJson(
      run,
      hosts.map((h) => ({ ...h, runId: run.id })),
      this.#rows,
      this.#fleet,
    );
  }
}

function rowOf(runId: number, host: string, c: CheckResult, fixStatus: FixStatus | null): CheckRow {
  return {
    runId,
    host,
    checkId: c.id,
    status: c.status,
    severity: c.severity,
    message: c.message,
    // The run document has no evidence (it is in the store): not kept for thousands of hosts.
    evidence: null,
    fix: c.fix ?? null,
    fixStatus,
  };
}
