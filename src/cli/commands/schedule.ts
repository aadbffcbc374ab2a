/**
 * `fleet schedule validate|list|next|install`: the schedule file (fleet.schedule.yml) checked,
 * listed, its next fire times shown, and turned into systemd units or a crontab line for sites
 * that prefer the OS scheduler.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../../core/errors.js';
import { maskUrl } from '../../notify/mask.js';
import { crontabLines } from '../../schedule/crontab.js';
import { describeTrigger, nextFires } from '../../schedule/fires.js';
import { formatDuration } from '../../schedule/duration.js';
import { scheduleService, scheduleTimer, unitBaseName } from '../../schedule/systemd-units.js';
import { formatInZone } from '../../schedule/time-format.js';
import type { Schedule } from '../../schedule/types.js';
import { oneLine, terminalJson } from '../../output/terminal-safe.js';
import { dbOptions } from '../options.js';
import { withReadOnlyStore } from '../session.js';
import { defaultDbTarget } from '../../store/open.js';
import { isPostgresUrl } from '../../store/db-target.js';
import type { ScheduleLastRun } from '../../daemon/types.js';
import { table } from './history.js';
import { fleetCommand, loadSchedules, pickSchedule, scheduleFilePath, scheduleNamePositional, scheduleOption } from '../schedule-file.js';
import { defineCommand, defineCommandGroup } from '../define-command.js';
import { scheduleRunCmd } from './schedule-run.js';
import type { Io } from '../io.js';

const validateCmd = defineCommand({
  command: 'validate [file]',
  describe: 'Check a schedule file (and the playbooks it names); errors name file:line',
  positionals: { file: { type: 'string', describe: 'Schedule file (default: --schedule or ./fleet.schedule.yml)' } },
  options: scheduleOption,
  async run(io, argv) {
    const file = scheduleFilePath(argv.file ?? argv.schedule, io.cwd);
    const schedules = await loadSchedules(file);
    io.stdout.write(
      `${file}: ${schedules.length} schedule${schedules.length === 1 ? '' : 's'} ok (${schedules.map((s) => s.name).join(', ')})\n`,
    );
    return 0;
  },
});

const notifyText = (s: Schedule) =>
  s.notify?.channels.map((c) => (c.kind === 'webhook' ? maskUrl(c.url) : `command ${path.basename(c.argv[0] ?? '')}`)).join(', ') ?? '-';

const listCmd = defineCommand({
  command: 'list',
  describe: 'The schedules: playbook, when, next fire, last run and its outcome (from --db), notifications (webhook URLs masked)',
  options: { ...scheduleOption, ...dbOptions, json: { type: 'boolean', describe: 'JSON instead of a table' } },
  async run(io, argv) {
    const schedules = await loadSchedules(scheduleFilePath(argv.schedule, io.cwd));
    const now = new Date();
    const last = await lastRuns(io, argv.db, schedules);
    const rows = schedules.map((s) => {
      const next = nextFires(s.trigger, now, 1)[0];
      const tz = s.trigger.kind === 'cron' ? s.trigger.timezone : 'UTC';
      return { s, next, tz, last: last.get(s.name) };
    });
    if (argv.json) {
      const doc = rows.map(({ s, next, last }) => ({
        name: s.name,
        playbook: s.playbook,
        when: describeTrigger(s.trigger),
        next_fire: next?.toISOString() ?? null,
        last_run: last?.id ?? null,
        last_started: last ? new Date(last.startedAt).toISOString() : null,
        last_outcome: last?.status ?? null,
        notify: notifyText(s),
      }));
      io.stdout.write(`${terminalJson(doc)}\n`);
    } else {
      const head = ['NAME', 'PLAYBOOK', 'WHEN', 'NEXT FIRE', 'LAST RUN', 'OUTCOME', 'NOTIFY'];
      const body = rows.map(({ s, next, tz, last }) => [
        s.name,
        oneLine(s.playbook, 40),
        oneLine(describeTrigger(s.trigger), 50) + (s.jitterMs ? ` ±${formatDuration(s.jitterMs)}` : ''),
        next ? formatInZone(next, tz) : '-',
        last ? `${last.id} (${formatInZone(new Date(last.startedAt), tz)})` : '-',
        last?.status ?? '-',
        oneLine(notifyText(s), 60),
      ]);
      io.stdout.write(table(head, body));
    }
    return 0;
  },
});

/**
 * Each schedule's latest run, read-only from the results DB. No DB yet (nothing has run) or one from
 * before schedules existed: no last runs, not an error.
 */
async function lastRuns(io: Io, db: string | undefined, schedules: readonly Schedule[]): Promise<Map<string, ScheduleLastRun>> {
  const out = new Map<string, ScheduleLastRun>();
  const target = db ?? defaultDbTarget();
  if (!isPostgresUrl(target) && !existsSync(path.resolve(io.cwd, target))) return out;
  await withReadOnlyStore(io, db, 'schedule list', async (store) => {
    const sched = store.scheduleStore();
    for (const s of schedules) {
      const last = await sched.lastRunOf(s.name).catch(() => undefined);
      if (last) out.set(s.name, last);
    }
  });
  return out;
}

function pick(schedules: Schedule[], name: string | undefined): Schedule[] {
  return name === undefined ? schedules : [pickSchedule(schedules, name)];
}

const nextCmd = defineCommand({
  command: 'next [name]',
  describe: 'The next fire times of one schedule (or all), in the schedule time zone and UTC',
  positionals: { name: { type: 'string', describe: 'Schedule name (default: all)' } },
  options: {
    ...scheduleOption,
    n: { type: 'number', default: 10, describe: 'How many fire times (1-1000)' },
    from: { type: 'string', describe: 'Start from this date instead of now (ISO 8601, e.g. 2027-03-27T00:00:00Z)' },
  },
  examples: [['$0 schedule next nightly -n 5', 'the next five fires of the nightly schedule']],
  async run(io, argv) {
    if (!Number.isInteger(argv.n) || argv.n < 1 || argv.n > 1000) throw new InputError(`-n must be 1-1000, not ${argv.n}`);
    const from = argv.from === undefined ? new Date() : new Date(argv.from);
    if (Number.isNaN(from.getTime())) throw new InputError(`--from '${argv.from}' is not a date (ISO 8601, e.g. 2027-03-27T00:00:00Z)`);
    const schedules = pick(await loadSchedules(scheduleFilePath(argv.schedule, io.cwd)), argv.name);
    const out: string[] = [];
    for (const s of schedules) {
      const tz = s.trigger.kind === 'cron' ? s.trigger.timezone : 'UTC';
      out.push(`${s.name}: ${describeTrigger(s.trigger)}${s.jitterMs ? `, each fire delayed by up to ${formatDuration(s.jitterMs)}` : ''}`);
      for (const d of nextFires(s.trigger, from, argv.n)) out.push(`  ${formatInZone(d, tz)}  ${d.toISOString().replace('.000Z', 'Z')}`);
    }
    io.stdout.write(`${out.join('\n')}\n`);
    return 0;
  },
});

const installCmd = defineCommand({
  command: 'install <name>',
  describe: 'Hand a schedule to the OS scheduler: --systemd writes a .service and a .timer; --cron prints a crontab line',
  positionals: { name: scheduleNamePositional },
  options: {
    ...scheduleOption,
    ...dbOptions,
    systemd: { type: 'boolean', describe: 'Write fleet-schedule-NAME.service and .timer into --dir' },
    cron: { type: 'boolean', describe: 'Print a crontab line instead' },
    dir: { type: 'string', default: '/etc/systemd/system', describe: 'Where --systemd writes the units' },
    'fleet-bin': { type: 'string', describe: 'The fleet command the units run (default: this node and this checkout)' },
  },
  examples: [
    ['$0 schedule install hourly --systemd', 'then: systemctl daemon-reload && systemctl enable --now fleet-schedule-hourly.timer'],
    ['$0 schedule install hourly --cron >> mycrontab', ''],
  ],
  async run(io, argv) {
    if (Boolean(argv.systemd) === Boolean(argv.cron)) throw new InputError('give one of --systemd or --cron');
    const file = scheduleFilePath(argv.schedule, io.cwd);
    const [s] = pick(await loadSchedules(file), argv.name);
    const cmd = fleetCommand(file, argv.db, argv['fleet-bin'], io.cwd);
    if (argv.cron) {
      io.stdout.write(crontabLines(s!, cmd));
      return 0;
    }
    const dir = path.resolve(io.cwd, argv.dir);
    const base = unitBaseName(s!);
    // Render both before writing either: a schedule systemd cannot express leaves nothing behind.
    const units: [string, string][] = [
      [`${base}.service`, scheduleService(s!, cmd)],
      [`${base}.timer`, scheduleTimer(s!, cmd)],
    ];
    await mkdir(dir, { recursive: true });
    for (const [name, text] of units) await writeAtomically(path.join(dir, name), text);
    io.stdout.write(
      `wrote ${units.map(([n]) => path.join(dir, n)).join(' and ')}\nenable with: systemctl daemon-reload && systemctl enable --now ${base}.timer\n`,
    );
    return 0;
  },
});

async function writeAtomically(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, text, { mode: 0o644 });
  await rename(tmp, file);
}

export const scheduleCommand = defineCommandGroup({
  command: 'schedule',
  describe: 'Scheduled audits: validate, list and preview the schedule file; run one schedule now; install systemd units or a crontab line',
  commands: [validateCmd, listCmd, nextCmd, installCmd, scheduleRunCmd],
  demand: 'name a schedule command: validate, list, next, install, run (see fleet schedule --help)',
});
