/**
 * What follows a scheduled run, in this order: link it to its schedule, advance the alert records and
 * queue a notification when something changed, rewrite the schedule's report, prune by retention.
 * Each step is logged and isolated: a report that cannot be written or a prune that fails never
 * loses the notification, and none of them fails the run.
 */
import { advanceRun } from '../schedule/alerts.js';
import { isFailing } from '../schedule/run-view.js';
import type { Schedule } from '../schedule/types.js';
import { buildNotification } from '../notify/message.js';
import type { Outbox } from '../notify/outbox.js';
import { enqueueNotification } from '../notify/routing.js';
import type { RunStore } from '../store/types.js';
import { loadRunView } from './run-view.js';
import type { ScheduleRecords } from './types.js';

export interface AfterRunDeps {
  readonly store: Pick<RunStore, 'getHosts' | 'getChecks' | 'flush'>;
  readonly records: ScheduleRecords;
  readonly outbox: Outbox;
  readonly log: (line: string) => void;
  /** Writes the schedule's HTML report of `runId` to `file` (atomically). */
  readonly writeReport: (file: string, runId: number) => Promise<void>;
  readonly now?: () => number;
}

export interface AfterRunResult {
  /** Outbox items queued (one per channel), 0 when nothing changed. */
  readonly queued: number;
  readonly events: number;
  readonly pruned: number;
  /** Per check id, on how many hosts it failed (fail or error): for the metrics. */
  readonly failingHostsByCheck: Record<string, number>;
}

export async function afterScheduledRun(deps: AfterRunDeps, schedule: Schedule, runId: number, dueAt: number): Promise<AfterRunResult> {
  const now = (deps.now ?? Date.now)();
  const name = schedule.name;
  const step = async <T>(what: string, fn: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      deps.log(`schedule=${name} run=${runId} ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
      return fallback;
    }
  };
  await deps.store.flush();
  await step('linking the run to its schedule', () => deps.records.linkRun(runId, name, dueAt), undefined);

  const failingHostsByCheck: Record<string, number> = {};
  const { queued, events } = await step(
    'change detection',
    async () => {
      const view = await loadRunView(deps.store, runId);
      for (const h of view.hosts.values())
        for (const [id, c] of h.checks) if (isFailing(c.status)) failingHostsByCheck[id] = (failingHostsByCheck[id] ?? 0) + 1;
      const before = await deps.records.loadAlertState(name);
      const policy = { after: schedule.notify?.after ?? 1, remindMs: schedule.notify?.remindMs };
      const { states, events } = advanceRun(before, view, now, policy);
      let queued = 0;
      // The notification is queued before the records move on: a crash in between sends it twice
      // at worst, never loses it.
      if (events.length > 0 && schedule.notify)
        queued = await enqueueNotification(
          deps.outbox,
          schedule,
          buildNotification({ schedule: name, playbook: schedule.playbook, runId, finishedAt: now }, events),
          now,
        );
      await deps.records.saveAlertState(name, states);
      return { queued, events: events.length };
    },
    { queued: 0, events: 0 },
  );

  if (schedule.report) {
    const file = schedule.report;
    await step(`writing the report ${file}`, () => deps.writeReport(file, runId), undefined);
  }
  const { deleted } = await step('retention', () => deps.records.pruneRuns(name, schedule.retention, now), { deleted: 0 });
  return { queued, events, pruned: deleted, failingHostsByCheck };
}
