/** The summary tiles: the numbers at the top of a report, each a plain count over stored rows. */
import type { RunData } from './run-data.js';
import { isFailing } from './status.js';

/** Counts for the tiles; definitions are the ones printed in the report's legend. */
export interface Tiles {
  /** Hosts in the run. */
  readonly hosts: number;
  /** Host status ok or changed. */
  readonly ok: number;
  /** Host status failed. */
  readonly failing: number;
  readonly unreachable: number;
  readonly skipped: number;
  /** Hosts where --fix repaired at least one check (fix status `fixed`). */
  readonly fixed: number;
  /** Distinct check ids failing (fail or error) on at least one host. */
  readonly checksFailing: number;
  /** Host × check results failing. */
  readonly resultsFailing: number;
  /** Fleet-wide findings not passing (fail, error or warn). */
  readonly fleetFindings: number;
  /** finished − started, null while running or when interrupted without an end. */
  readonly durationMs: number | null;
}

/** Computes the tiles of a run. */
export function computeTiles(data: RunData): Tiles {
  const count = (pred: (s: string) => boolean) => data.hosts.filter((h) => pred(h.status)).length;
  const failing = data.checks.filter((c) => isFailing(c.status));
  return {
    hosts: data.hosts.length,
    ok: count((s) => s === 'ok' || s === 'changed'),
    failing: count((s) => s === 'failed'),
    unreachable: count((s) => s === 'unreachable'),
    skipped: count((s) => s === 'skipped'),
    fixed: new Set(data.checks.filter((c) => c.fixStatus === 'fixed').map((c) => c.host)).size,
    checksFailing: new Set(failing.map((c) => c.checkId)).size,
    resultsFailing: failing.length,
    fleetFindings: data.fleet.filter((f) => f.status !== 'pass' && f.status !== 'skipped').length,
    durationMs: data.run.finishedAt === null ? null : data.run.finishedAt - data.run.startedAt,
  };
}
