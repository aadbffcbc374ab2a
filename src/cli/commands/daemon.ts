/** `fleet daemon`: runs the schedule file's schedules in one long-lived process. */
import type { Argv } from 'yargs';
import { InputError } from '../../core/errors.js';
import { parseDuration } from '../../schedule/duration.js';
import { daemonService } from '../../schedule/systemd-units.js';
import { dbOptions } from '../options.js';
import { fleetCommand, loadSchedules, scheduleFilePath, scheduleOption } from '../schedule-file.js';
import type { Io } from '../io.js';

export const DEFAULT_GRACE = '60s';

interface DaemonArgs {
  schedule?: string;
  db?: string;
  grace: string;
  'systemd-unit'?: boolean;
  'fleet-bin'?: string;
}

export function daemonCommand(io: Io, setExit: (code: number) => void) {
  return {
    command: 'daemon',
    describe: 'Run the schedules of the schedule file (SIGHUP reloads it; SIGTERM finishes the run in progress, then exits)',
    builder: (y: Argv) =>
      y
        .options({ ...scheduleOption, ...dbOptions })
        .option('grace', {
          type: 'string',
          default: DEFAULT_GRACE,
          describe: 'On SIGTERM/SIGINT, how long the run in progress may take to finish before it is interrupted',
        })
        .option('systemd-unit', { type: 'boolean', describe: 'Print a systemd unit that runs this daemon, and exit' })
        .option('fleet-bin', { type: 'string', describe: 'With --systemd-unit: the fleet command the unit runs' })
        .example('$0 daemon --systemd-unit > /etc/systemd/system/fleet-daemon.service', 'run it under systemd'),
    handler: async (argv: DaemonArgs) => {
      const graceMs = parseDuration(argv.grace);
      if (graceMs === undefined) throw new InputError(`--grace '${argv.grace}' is not a duration (like 60s or 2m)`);
      const file = scheduleFilePath(argv.schedule, io.cwd);
      // The file is validated now so a unit is never generated for a schedule file that would not load.
      await loadSchedules(file);
      if (argv['systemd-unit']) {
        io.stdout.write(daemonService(fleetCommand(file, argv.db, argv['fleet-bin'], io.cwd), graceMs));
        return setExit(0);
      }
      throw new InputError('fleet daemon: running schedules needs the results store wiring, not in this build yet; use --systemd-unit');
    },
  };
}
