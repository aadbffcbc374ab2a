/**
 * One scheduled run, start to finish, exactly as `fleet run` would do it (same loading, validation,
 * recording and secrets masking), then what a schedule adds: change detection and notifications,
 * its report, retention. Used by `fleet schedule run NAME` and by the daemon for every fire.
 */
import { InputError } from '../core/errors.js';
import type { SecretMask } from '../core/redact.js';
import { afterScheduledRun, type AfterRunResult } from '../daemon/after-run.js';
import type { RunOutcome, RunSchedule, ScheduleRecords } from '../daemon/types.js';
import type { Outbox } from '../notify/outbox.js';
import { buildReport } from '../report/build-report.js';
import type { Schedule } from '../schedule/types.js';
import type { RunStore } from '../store/types.js';
import { exitCodeOf, type RunSummary } from '../engine/run.js';
import { runWithStore, type RunArgs } from './commands/run.js';
import type { Io } from './io.js';
import type { ConnectionArgs } from './options.js';
import { writeOutputFile } from './output-file.js';
import { Writable } from 'node:stream';

export interface ScheduleRunnerDeps {
  readonly io: Io;
  readonly store: RunStore;
  /** The redactor the store was opened with; each run adds its secrets to it. */
  readonly mask: SecretMask;
  readonly records: ScheduleRecords;
  readonly outbox: Outbox;
  /** Connection options for every schedule (the daemon's or `schedule run`'s command line). */
  readonly conn: ConnectionArgs;
  readonly db: string | undefined;
  /** One plain line per event. */
  readonly log: (line: string) => void;
  /** Told about each finished run (metrics). */
  readonly onRun?: (schedule: Schedule, startedAt: number, durationMs: number, outcome: RunOutcome, after: AfterRunResult) => void;
}

/** `fleet run` arguments for a schedule: what the schedule says, plus the command line's connection options. */
export function runArgsOf(schedule: Schedule, conn: ConnectionArgs, db: string | undefined): RunArgs {
  return {
    ...conn,
    playbook: schedule.playbookFile,
    inventory: [...schedule.inventories],
    ...(schedule.limit !== undefined ? { limit: schedule.limit } : {}),
    'extra-vars': [...schedule.extraVars],
    ...(schedule.tags.length ? { tags: [...schedule.tags] } : {}),
    ...(schedule.skipTags.length ? { 'skip-tags': [...schedule.skipTags] } : {}),
    // Unattended fixes only when the schedule says so (a remediation playbook is refused without it).
    fix: schedule.fix,
    // Schedules are not sharded; the option has a default, so it is given.
    'shard-retries': 2,
    ...(db !== undefined ? { db } : {}),
  };
}

/** A stream that hands each complete line to `fn` (a run's warnings become log lines). */
function lineStream(fn: (line: string) => void): Writable {
  let buf = '';
  return new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      buf += chunk.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (line) fn(line);
      }
      cb();
    },
  });
}

function outcomeOf(summary: RunSummary): RunOutcome {
  const exitCode = exitCodeOf(summary);
  const hosts = { ok: 0, failed: 0, unreachable: 0 };
  for (const o of summary.outcomes.values()) {
    if (o.status === 'ok' || o.status === 'changed') hosts.ok++;
    else if (o.status === 'failed') hosts.failed++;
    else if (o.status === 'unreachable') hosts.unreachable++;
  }
  const status = summary.status === 'interrupted' ? 'interrupted' : summary.status === 'completed' ? 'completed' : 'failed';
  return { runId: summary.runId, status, hosts, exitCode };
}

export function scheduleRunner(deps: ScheduleRunnerDeps): RunSchedule {
  return async (schedule, signal, dueAt) => {
    const name = schedule.name;
    const io: Io = {
      ...deps.io,
      stdout: lineStream(() => undefined),
      stderr: lineStream((l) => deps.log(`schedule=${name} ${l.replace(/^fleet: /, '')}`)),
      stderrIsTTY: false,
    };
    // A controller that died mid-run (another daemon killed) leaves its run `running`: close it off first.
    const recovered = await deps.store.recoverInterrupted();
    if (recovered.length > 0) deps.log(`recovered runs left running by a dead controller: ${recovered.join(', ')} (now interrupted)`);
    const startedAt = Date.now();
    let summary: RunSummary | undefined;
    try {
      ({ summary } = await runWithStore(io, runArgsOf(schedule, deps.conn, deps.db), {
        store: deps.store,
        mask: deps.mask,
        signal,
        quiet: true,
      }));
    } catch (err) {
      // Inventory gone, playbook broken since the schedule was loaded…: no run was recorded.
      if (err instanceof InputError) throw new InputError(`not started: ${err.message}`);
      throw err;
    }
    // Schedules have no shard options, so the run is always made here.
    if (!summary) throw new Error('a scheduled run produced no summary');
    const outcome = outcomeOf(summary);
    const after = await afterScheduledRun(
      {
        store: deps.store,
        records: deps.records,
        outbox: deps.outbox,
        log: deps.log,
        writeReport: async (file, runId) => writeOutputFile(file, (await buildReport(deps.store, runId)).html),
      },
      schedule,
      summary.runId,
      dueAt,
    );
    if (after.events > 0)
      deps.log(
        `schedule=${name} run=${summary.runId} ${after.events} change${after.events === 1 ? '' : 's'}: ${
          after.queued > 0 ? `notification queued for ${after.queued} channel${after.queued === 1 ? '' : 's'}` : 'no notify: channels'
        }`,
      );
    if (after.pruned > 0) deps.log(`schedule=${name} retention: ${after.pruned} old run${after.pruned === 1 ? '' : 's'} deleted`);
    deps.onRun?.(schedule, startedAt, Date.now() - startedAt, outcome, after);
    return outcome;
  };
}
