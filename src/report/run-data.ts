/** Everything the report, diff and exporters read about one run, loaded once from the store. */
import type { FleetCheckResult } from '../core/check.js';
import { InputError } from '../core/errors.js';
import type { CheckRow, HostRow, RunRow, RunStore } from '../store/types.js';

/** The read half of the store: the report module never writes. */
export type RunReader = Pick<
  RunStore,
  'listRuns' | 'getRun' | 'getHosts' | 'getHostGroups' | 'getSteps' | 'getChecks' | 'getFleetChecks' | 'getFacts'
>;

/** One run's stored rows. */
export interface RunData {
  readonly run: RunRow;
  readonly hosts: readonly HostRow[];
  readonly checks: readonly CheckRow[];
  readonly fleet: readonly FleetCheckResult[];
  /** Host → inventory groups when the run started (absent for runs recorded before schema v3). */
  readonly groups: ReadonlyMap<string, readonly string[]>;
}

/** Loads a run's hosts, checks and fleet checks; InputError when the run does not exist. */
export async function loadRunData(store: RunReader, runId: number): Promise<RunData> {
  const run = await store.getRun(runId);
  if (!run) throw new InputError(`no run ${runId} in the database`);
  const [hosts, checks, fleet, groups] = await Promise.all([
    store.getHosts(runId),
    store.getChecks(runId),
    store.getFleetChecks(runId),
    store.getHostGroups(runId),
  ]);
  return { run, hosts, checks, fleet, groups };
}

/** Facts of every host of a run, by host name (hosts without facts are absent). */
export async function loadFacts(store: RunReader, runId: number, hosts: readonly string[]): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  for (const host of hosts) {
    const facts = await store.getFacts(runId, host);
    if (facts !== undefined && facts !== null) out.set(host, facts);
  }
  return out;
}
