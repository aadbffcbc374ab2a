/**
 * `--limit @failed` / `--limit @skipped`: resume a rollout on what is left, from the last run of the
 * same playbook recorded in the DB. @failed = hosts that failed (a rolled-back host is failed), were
 * unreachable or unaudited (a sharded run's dead-lettered shard); @skipped = hosts the stopped rollout never touched. Runs that made no change
 * (read-only, --check) are passed over: resuming means resuming the last real rollout.
 */
import { InputError } from '../core/errors.js';
import type { HostStatus } from '../core/result.js';
import type { RunRow, RunStore } from '../store/types.js';

const WANTED: Record<'@failed' | '@skipped', readonly HostStatus[]> = {
  '@failed': ['failed', 'unreachable', 'unaudited'],
  '@skipped': ['skipped'],
};

/** Picks the run to resume from: the newest finished run, preferring one that applied changes (--fix). */
export function runToResume(runs: readonly RunRow[]): RunRow | undefined {
  const finished = runs.filter((r) => r.status !== 'running');
  return finished.find((r) => r.options['mode'] === 'fix') ?? finished[0];
}

/** The host list (comma-separated, a valid --limit pattern) for @failed/@skipped. Throws InputError. */
export async function resolveResumeLimit(
  store: Pick<RunStore, 'listRuns' | 'getHosts'>,
  playbook: string,
  which: '@failed' | '@skipped',
  warn: (w: string) => void,
): Promise<string> {
  const run = runToResume(await store.listRuns({ playbook, limit: 50 }));
  if (!run) throw new InputError(`--limit ${which}: no earlier run of playbook '${playbook}' in the results database`);
  const hosts = (await store.getHosts(run.id)).filter((h) => WANTED[which].includes(h.status)).map((h) => h.host);
  if (hosts.length === 0) throw new InputError(`--limit ${which}: run ${run.id} of '${playbook}' has no ${which.slice(1)} hosts`);
  warn(`--limit ${which}: ${hosts.length} host(s) from run ${run.id} (${run.status}): ${hosts.join(', ')}`);
  return hosts.join(',');
}
