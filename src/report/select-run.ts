/** Which run a command means (`--run ID`, `--last`, `--playbook`), and the runs before it. */
import { InputError } from '../core/errors.js';
import type { RunRow } from '../store/types.js';
import type { RunReader } from './run-data.js';

/** How a user names a run: an id, `last`, or nothing (the latest), optionally of one playbook. */
export interface RunSelector {
  readonly run?: string | number | undefined;
  readonly playbook?: string | undefined;
}

/** Parses a run id argument; InputError naming the bad value. */
export function parseRunId(text: string | number): number {
  const id = typeof text === 'number' ? text : Number(text.trim());
  if (!Number.isInteger(id) || id <= 0) throw new InputError(`'${text}' is not a run id (a positive number, or last)`);
  return id;
}

/** The run a selector names; InputError when there is none. */
export async function selectRun(store: RunReader, sel: RunSelector): Promise<RunRow> {
  if (sel.run !== undefined && sel.run !== 'last') {
    const id = parseRunId(sel.run);
    const run = await store.getRun(id);
    if (!run) throw new InputError(`no run ${id} in the database`);
    if (sel.playbook && run.playbook !== sel.playbook)
      throw new InputError(`run ${id} is of playbook '${run.playbook}', not '${sel.playbook}'`);
    return run;
  }
  const [last] = await store.listRuns({ ...(sel.playbook ? { playbook: sel.playbook } : {}), limit: 1 });
  if (!last) throw new InputError(sel.playbook ? `no runs of playbook '${sel.playbook}' recorded yet` : 'no runs recorded yet');
  return last;
}

/** The newest `n` runs, newest first, optionally of one playbook; InputError when fewer exist. */
export async function latestRuns(store: RunReader, n: number, playbook?: string): Promise<RunRow[]> {
  const runs = await store.listRuns({ ...(playbook ? { playbook } : {}), limit: n });
  if (runs.length < n) throw new InputError(`need ${n} recorded runs${playbook ? ` of playbook '${playbook}'` : ''}, found ${runs.length}`);
  return runs;
}

/** Runs of `run`'s playbook started before it, newest first, at most `n` (`run` itself excluded). */
export async function runsBefore(store: RunReader, run: RunRow, n: number): Promise<RunRow[]> {
  if (n <= 0) return [];
  // listRuns has no "before" filter: widen the window until it reaches past `run` or runs out.
  for (let limit = n + 8; ; limit *= 4) {
    const runs = await store.listRuns({ playbook: run.playbook, limit });
    const older = runs.filter((r) => r.id !== run.id && isBefore(r, run));
    const reachedPast = runs.length < limit || older.length >= n;
    if (reachedPast) return older.slice(0, n);
  }
}

/** The previous run to compare with: the newest earlier run of the same playbook that finished
 *  (completed or failed). Interrupted runs are skipped: their missing hosts would read as changes. */
export async function previousRun(store: RunReader, run: RunRow, lookBack = 20): Promise<RunRow | undefined> {
  return (await runsBefore(store, run, lookBack)).find((r) => r.status === 'completed' || r.status === 'failed');
}

function isBefore(a: RunRow, b: RunRow): boolean {
  return a.startedAt < b.startedAt || (a.startedAt === b.startedAt && a.id < b.id);
}
