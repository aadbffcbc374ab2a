/**
 * `fleet daemon`: runs the schedule file's schedules in one long-lived process. One plain log line
 * per event on stderr (journald adds the time). SIGTERM/SIGINT: stop firing, let the run in progress
 * finish within --grace (else it is recorded interrupted), exit 0. SIGHUP: reload the schedule file
 * (a broken file is refused and the old schedules keep running).
 */
import { InputError } from '../../core/errors.js';
import { SecretMask } from '../../core/redact.js';
import { lockOwner } from '../../daemon/lease.js';
import { DaemonMetrics } from '../../daemon/metrics.js';
import { Scheduler } from '../../daemon/scheduler.js';
import type { ScheduleHistory } from '../../daemon/types.js';
import { channelResolver } from '../../notify/routing.js';
import { NotificationSender } from '../../notify/sender.js';
import { isLoopback, startReportServer, type ExtraRoute } from '../../report/server.js';
import { parseDuration } from '../../schedule/duration.js';
import { daemonService } from '../../schedule/systemd-units.js';
import type { Schedule } from '../../schedule/types.js';
import type { SqlRunStore } from '../../store/sql-run-store.js';
import { dbOptions, unattendedConnectionOptions, type ArgsOf } from '../options.js';
import { defineCommand } from '../define-command.js';
import { writeOutputFile } from '../output-file.js';
import { scheduleRunner } from '../schedule-runner.js';
import { fleetCommand, loadSchedules, scheduleFilePath, scheduleOption } from '../schedule-file.js';
import { withStore } from '../session.js';
import type { Io } from '../io.js';

export const DEFAULT_GRACE = '60s';
/** How often notifications still pending (receiver down) are tried again between runs. */
const DRAIN_EVERY_MS = 5_000;

const daemonOptions = {
  ...scheduleOption,
  ...dbOptions,
  ...unattendedConnectionOptions,
  grace: {
    type: 'string',
    default: DEFAULT_GRACE,
    describe: 'On SIGTERM/SIGINT, how long the run in progress may take to finish before it is interrupted',
  },
  lease: {
    type: 'string',
    default: '60s',
    describe:
      "How long a schedule's lock outlives its holder's last heartbeat: another daemon takes over a dead one's schedules after this",
  },
  listen: {
    type: 'string',
    describe: 'Serve /metrics (Prometheus) and the reports on ADDRESS:PORT (e.g. 127.0.0.1:9377); loopback unless you name another address',
  },
  'metrics-file': { type: 'string', describe: "Also write the metrics to this file after each run (node_exporter's textfile collector)" },
  'systemd-unit': { type: 'boolean', describe: 'Print a systemd unit that runs this daemon, and exit' },
  'fleet-bin': { type: 'string', describe: 'With --systemd-unit: the fleet command the unit runs' },
} as const;

type DaemonArgs = ArgsOf<typeof daemonOptions>;

export const daemonCommand = defineCommand({
  command: 'daemon',
  describe: 'Run the schedules of the schedule file (SIGHUP reloads it; SIGTERM finishes the run in progress, then exits)',
  options: daemonOptions,
  examples: [
    ['$0 daemon --schedule /etc/fleet/fleet.schedule.yml --listen 127.0.0.1:9377', 'run the schedules; metrics at /metrics'],
    ['$0 daemon --systemd-unit > /etc/systemd/system/fleet-daemon.service', 'run it under systemd'],
  ],
  async run(io, argv) {
    const graceMs = parseDuration(argv.grace);
    if (graceMs === undefined) throw new InputError(`--grace '${argv.grace}' is not a duration (like 60s or 2m)`);
    const leaseMs = parseDuration(argv.lease);
    if (leaseMs === undefined || leaseMs < 3000) throw new InputError(`--lease '${argv.lease}' is not a duration of at least 3s`);
    const listen = argv.listen === undefined ? undefined : parseListen(argv.listen);
    const file = scheduleFilePath(argv.schedule, io.cwd);
    // Validated now: a daemon (or a unit) is never started on a schedule file that would not load.
    const schedules = await loadSchedules(file);
    if (argv['systemd-unit']) {
      io.stdout.write(daemonService(fleetCommand(file, argv.db, argv['fleet-bin'], io.cwd), graceMs));
      return 0;
    }
    return runDaemon(io, argv, { file, schedules, graceMs, leaseMs, listen });
  },
});

/** `ADDRESS:PORT`, `[v6]:PORT` or a bare `PORT` (on 127.0.0.1). */
export function parseListen(text: string): { bind: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text) ?? (/^\d+$/.test(text) ? [text, undefined, '127.0.0.1', text] : null);
  const port = Number(m?.[3]);
  if (!m || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new InputError(`--listen '${text}' is not ADDRESS:PORT (e.g. 127.0.0.1:9377)`);
  return { bind: m[1] ?? (m[2] || '127.0.0.1'), port };
}

interface DaemonSetup {
  readonly file: string;
  readonly schedules: Schedule[];
  readonly graceMs: number;
  readonly leaseMs: number;
  readonly listen: { bind: string; port: number } | undefined;
}

async function runDaemon(io: Io, args: DaemonArgs, setup: DaemonSetup): Promise<number> {
  const log = (line: string) => io.stderr.write(`${line}\n`);
  const mask = new SecretMask();
  return withStore(
    args.db,
    async (store) => {
      const sched = store.scheduleStore();
      const metrics = new DaemonMetrics();
      let current: readonly Schedule[] = setup.schedules;
      const sender = new NotificationSender({
        outbox: sched,
        resolve: channelResolver(() => current),
        log,
        onAttempt: (s, r) => metrics.notification(s, r),
      });
      const writeMetrics = () => {
        if (!args['metrics-file']) return;
        try {
          writeOutputFile(args['metrics-file'], metrics.render(), 0o644);
        } catch (err) {
          log(`metrics file ${args['metrics-file']} not written: ${(err as Error).message}`);
        }
      };
      const history: ScheduleHistory = {
        lastFire: (name) => sched.lastFire(name),
        recordFire: async (name, dueAt, outcome, detail) => {
          metrics.fire(name, outcome);
          await sched.recordFire(name, dueAt, outcome, detail);
        },
      };
      const runSchedule = scheduleRunner({
        io,
        store,
        mask,
        records: sched,
        outbox: sched,
        conn: args,
        db: args.db,
        log,
        onRun: (s, startedAt, durationMs, outcome, after) => {
          metrics.run(s.name, startedAt, durationMs, outcome, after.failingHostsByCheck);
          writeMetrics();
          if (after.queued > 0) void sender.drain();
        },
      });
      const scheduler = new Scheduler({
        runSchedule,
        locks: sched,
        history,
        owner: lockOwner(),
        log,
        graceMs: setup.graceMs,
        leaseMs: setup.leaseMs,
      });
      const server = setup.listen ? await listen(store, setup.listen, metrics, (n) => sched.lastRunOf(n), log) : undefined;

      metrics.setSchedules(setup.schedules.map((s) => s.name));
      writeMetrics();
      await scheduler.start(setup.schedules);
      const drainTimer = setInterval(() => void sender.drain(), DRAIN_EVERY_MS);
      void sender.drain();

      const reason = await new Promise<string>((resolve) => {
        const onHup = () => {
          log('SIGHUP: reloading the schedule file');
          void scheduler
            .reloadFrom(() => loadSchedules(setup.file))
            .then((ok) => {
              if (!ok) return;
              current = scheduler.schedules;
              metrics.setSchedules(current.map((s) => s.name));
              writeMetrics();
            });
        };
        const onStop = (sig: NodeJS.Signals) => {
          process.off('SIGHUP', onHup);
          process.off('SIGTERM', onStop);
          process.off('SIGINT', onStop);
          resolve(sig);
        };
        process.on('SIGHUP', onHup);
        process.on('SIGTERM', onStop);
        process.on('SIGINT', onStop);
      });
      await scheduler.stop(reason);
      clearInterval(drainTimer);
      await sender.drain();
      await server?.close();
      return 0;
    },
    mask.redact,
  );
}

async function listen(
  store: SqlRunStore,
  at: { bind: string; port: number },
  metrics: DaemonMetrics,
  lastRunOf: (schedule: string) => Promise<{ id: number } | undefined>,
  log: (line: string) => void,
) {
  const routes = async (path: string): Promise<ExtraRoute | undefined> => {
    if (path === '/metrics') return { type: 'text/plain; version=0.0.4; charset=utf-8', body: metrics.render() };
    const m = /^\/schedules\/([^/]+)$/.exec(path);
    if (!m) return undefined;
    const last = await lastRunOf(decodeURIComponent(m[1] ?? ''));
    return last ? { redirect: `/runs/${last.id}` } : { type: 'text/plain; charset=utf-8', body: 'this schedule has no run yet\n' };
  };
  const server = await startReportServer(store, { ...at, routes });
  if (!isLoopback(at.bind)) log(`WARNING: listening on ${at.bind}: anyone who can reach it can read every recorded run`);
  log(`listening on ${server.url} (/metrics; reports at /schedules/NAME and /runs)`);
  return server;
}
