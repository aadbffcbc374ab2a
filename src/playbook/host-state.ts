/** What fleet remembers about one host across the plays of a run. */
import type { CheckResult, FixStatus } from '../core/check.js';
import type { Host, Vars } from '../core/inventory.js';

/** A check's final word on a host (what the JSON document and the exit code use). */
export interface CheckRecord {
  readonly result: CheckResult;
  readonly fixStatus: FixStatus | null;
  /** Evaluated under ignore_errors: a failure does not fail the host. */
  readonly ignored: boolean;
}

export class HostState {
  readonly host: Host;
  /** Registered results and set_fact values; they outlive the play, as in Ansible. */
  readonly runtimeVars: Vars = {};
  readonly checks = new Map<string, CheckRecord>();
  /** Facts gathered this run (undefined until the first gathering succeeds). */
  facts: unknown;
  factsPromise: Promise<unknown> | undefined;
  /** A task (not ignored) or a fix failed: the host leaves later plays and counts for max_fail_percentage. */
  rolloutFailed = false;
  unreachable = false;
  /** One line: why the host failed. */
  failReason: string | undefined;

  constructor(host: Host) {
    this.host = host;
  }

  /**
   * The host is done with the run's last play: keep only what the fleet-wide checks need of its
   * facts, so a run's memory does not grow with every host's full facts.
   */
  settle(keep: (facts: unknown) => unknown): void {
    if (this.facts !== undefined) this.facts = keep(this.facts);
    this.factsPromise = undefined;
  }

  /** Marks a rollout failure; the first reason is kept. */
  fail(reason: string): void {
    this.rolloutFailed = true;
    this.failReason ??= reason;
  }
}

/** A failing check fails its host unless ignored or merely informational; `warn` never does. */
export function checkFailsHost(r: CheckRecord): boolean {
  if (r.ignored) return false;
  if (r.result.status === 'error') return true;
  return r.result.status === 'fail' && r.result.severity !== 'info';
}
