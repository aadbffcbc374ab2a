/** Loading the schedule file for the CLI: where it is, and how its playbooks are found and checked. */
import path from 'node:path';
import { InputError } from '../core/errors.js';
import { didYouMean } from '../modules/suggest.js';
import { fileURLToPath } from 'node:url';
import { builtinCatalog, loadPlaybook } from '../playbook/index.js';
import { DEFAULT_SCHEDULE_FILE, loadScheduleFile, type PlaybookLookup } from '../schedule/parse.js';
import type { Schedule } from '../schedule/types.js';
import type { FleetCommand } from '../schedule/systemd-units.js';
import { resolvePlaybook } from './commands/run.js';

export const scheduleOption = {
  schedule: {
    type: 'string',
    description: `Schedule file (default: ./${DEFAULT_SCHEDULE_FILE})`,
  },
} as const;

/** The `<name>` of schedule run and schedule install. */
export const scheduleNamePositional = { type: 'string', demandOption: true, describe: 'Schedule name' } as const;

/** fleet's launcher (bin/fleet.js, next to dist/), for units and crontab lines. */
const FLEET_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/fleet.js');

export const playbookLookup: PlaybookLookup = {
  resolve: (name, baseDir) => resolvePlaybook(name, baseDir),
  // Loading validates the whole playbook (modules, check ids, templates) as `fleet run` would.
  isRemediation: async (file) => (await loadPlaybook(file, { catalog: builtinCatalog() })).fixByDefault,
};

export function scheduleFilePath(arg: string | undefined, cwd: string): string {
  return path.resolve(cwd, arg ?? DEFAULT_SCHEDULE_FILE);
}

export async function loadSchedules(file: string): Promise<Schedule[]> {
  return loadScheduleFile(file, playbookLookup);
}

/** The schedule named `name`, or an error that lists the names (and the likely one). */
export function pickSchedule(schedules: readonly Schedule[], name: string): Schedule {
  const s = schedules.find((x) => x.name === name);
  if (s) return s;
  throw new InputError(
    `no schedule named '${name}'${didYouMean(
      name,
      schedules.map((x) => x.name),
    )} (there are: ${schedules.map((x) => x.name).join(', ')})`,
  );
}

export function fleetCommand(scheduleFile: string, db: string | undefined, fleetBin: string | undefined, cwd: string): FleetCommand {
  return {
    launcher: fleetBin ? [path.resolve(cwd, fleetBin)] : [process.execPath, FLEET_BIN],
    scheduleFile,
    db: db ? path.resolve(cwd, db) : undefined,
  };
}
