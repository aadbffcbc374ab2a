/**
 * `fleet schedule run NAME`: one run of a schedule, now, with the daemon's locking, recording,
 * notifications, report and retention (what a systemd timer or a crontab line calls).
 */
import { EXIT } from '../../core/result.js';
import { SecretMask } from '../../core/redact.js';
import { DEFAULT_LEASE_MS, holdingLock, lockOwner } from '../../daemon/lease.js';
import { describeOutcome } from '../../daemon/scheduler.js';
import { NotificationSender } from '../../notify/sender.js';
import { channelResolver } from '../../notify/routing.js';
import { dbOptions, unattendedConnectionOptions, type ArgsOf } from '../options.js';
import { handleInterrupts } from '../interrupt.js';
import { scheduleRunner } from '../schedule-runner.js';
import { loadSchedules, pickSchedule, scheduleFilePath, scheduleNamePositional, scheduleOption } from '../schedule-file.js';
import { defineCommand } from '../define-command.js';
import { withStore } from '../session.js';
import type { Io } from '../io.js';

/** Exit status when another fleet is running this schedule (EX_TEMPFAIL: try again later). */
export const SCHEDULE_BUSY = 75;

const options = { ...scheduleOption, ...dbOptions, ...unattendedConnectionOptions } as const;
type Args = ArgsOf<typeof options & { name: typeof scheduleNamePositional }>;

export const scheduleRunCmd = defineCommand({
  command: 'run <name>',
  describe: "Run one schedule once, now, as the daemon would (lock, record, notify, report, retention); exits with the run's status",
  positionals: { name: scheduleNamePositional },
  options,
  examples: [['$0 schedule run hourly-health', 'what the systemd timer of `schedule install hourly-health --systemd` runs']],
  run: runOnce,
});

async function runOnce(io: Io, args: Args): Promise<number> {
  const file = scheduleFilePath(args.schedule, io.cwd);
  const schedules = await loadSchedules(file);
  const schedule = pickSchedule(schedules, args.name);
  const log = (line: string) => io.stderr.write(`fleet: ${line}\n`);
  const mask = new SecretMask();
  return withStore(
    args.db,
    async (store) => {
      const sched = store.scheduleStore();
      const run = scheduleRunner({ io, store, mask, records: sched, outbox: sched, conn: args, db: args.db, log });
      // SIGINT/SIGTERM end the run now; it is recorded `interrupted` and the lock given back.
      const interrupt = handleInterrupts({ graceMs: 10_000, stderr: io.stderr });
      try {
        const held = await holdingLock(
          sched,
          schedule.name,
          lockOwner(),
          { leaseMs: DEFAULT_LEASE_MS, log, signal: interrupt.signal },
          async (signal) => {
            const now = Date.now();
            await sched.recordFire(schedule.name, now, 'ran', 'fleet schedule run');
            return run(schedule, signal, now);
          },
        );
        if (!held.acquired) {
          log(`schedule ${schedule.name} is running in another fleet (daemon or schedule run) on this DB: not started`);
          await sched.recordFire(schedule.name, Date.now(), 'skipped', 'fleet schedule run: another fleet holds the lock');
          return SCHEDULE_BUSY;
        }
        const o = held.value;
        log(`schedule=${schedule.name} ${describeOutcome(o)}`);
        // Deliver now what this run (or an earlier one whose receiver was down) queued.
        await new NotificationSender({ outbox: sched, resolve: channelResolver(() => schedules), log }).drain();
        return o.exitCode ?? EXIT.ok;
      } finally {
        interrupt.dispose();
      }
    },
    mask.redact,
  );
}
