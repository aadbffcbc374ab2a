/**
 * fleet's command line: yargs commands, strict about unknown flags and commands, and one place
 * where errors become a one-line message and an exit code (never a stack trace for the user).
 */
import yargs from 'yargs';
import { FleetError, InputError } from '../core/errors.js';
import { EXIT } from '../core/result.js';
import { terminalSafe } from '../output/terminal-safe.js';
import { processIo, type Io } from './io.js';
import { withCommands, type CliCommand } from './define-command.js';
import { execCommand } from './commands/exec.js';
import { runCommand } from './commands/run.js';
import { inventoryCommand } from './commands/inventory.js';
import { runsCommand, showCommand } from './commands/history.js';
import { reportCommand } from './commands/report.js';
import { diffCommand } from './commands/diff.js';
import { exportCommand } from './commands/export.js';
import { serveCommand } from './commands/serve.js';
import { scheduleCommand } from './commands/schedule.js';
import { daemonCommand } from './commands/daemon.js';
import { workerCommand } from './commands/worker.js';
import { versionLine } from '../install/build-info.js';

const EPILOG = `Exit codes: 0 every host reached and everything ok; 1 usage or input error (nothing ran);
2 at least one failed step or check; 4 at least one host unreachable and none failed;
3 fleet itself failed (a bug: please report it); 130 interrupted.
Environment: FLEET_DB, FLEET_HOST_KEY_CHECKING, FLEET_BECOME_PASSWORD, FLEET_SSH_PASSPHRASE, SSH_AUTH_SOCK.`;

/** In the order of `fleet --help`. */
const COMMANDS: readonly CliCommand[] = [
  runCommand,
  execCommand,
  inventoryCommand,
  runsCommand,
  showCommand,
  reportCommand,
  diffCommand,
  exportCommand,
  serveCommand,
  scheduleCommand,
  daemonCommand,
  workerCommand,
];

/** Runs the CLI and resolves to the process exit code. */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  let exitCode: number = EXIT.ok;
  const setExit = (code: number) => {
    exitCode = code;
  };
  const top = yargs(argv)
    .scriptName('fleet')
    .usage(
      "$0 <command> [options]\n\nKeep KVM hypervisors' VM networking healthy: Ansible inventories, one SSH connection per host, results in SQLite.",
    )
    .parserConfiguration({ 'populate--': true });
  const parser = withCommands(top, COMMANDS, io, setExit)
    .demandCommand(1, 'name a command (see fleet --help)')
    .strict()
    .recommendCommands()
    .epilog(EPILOG)
    .wrap(Math.min(110, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((msg, err) => {
      // Must throw: if .fail() returns, yargs goes on to run the handler despite the bad input.
      if (err) throw err;
      throw new InputError(`${msg}\n(see fleet --help)`, undefined, 'FLEET_USAGE');
    })
    .help()
    .alias('h', 'help')
    .version('version', 'Show the version and the git commit fleet was built from', versionLine());

  try {
    await parser.parseAsync();
    return exitCode;
  } catch (err) {
    // Messages quote input fleet did not write (a script's stderr, a line of a file): never let its
    // control characters reach the terminal live.
    if (err instanceof FleetError) {
      io.stderr.write(`fleet: ${terminalSafe(err.message)}\n`);
      return err.exitCode;
    }
    const message = err instanceof Error ? err.message : String(err);
    io.stderr.write(`fleet: internal error: ${terminalSafe(message)}\n`);
    if (io.env.FLEET_DEBUG && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
    else io.stderr.write('(set FLEET_DEBUG=1 to see where; please report it)\n');
    return EXIT.internal;
  }
}
