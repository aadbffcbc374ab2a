/**
 * A fleet command as data: usage, description, positionals, options, examples, and the function that
 * runs it. The yargs builder, and the handler that turns the function's result into the exit code, are
 * written once here; a command's arguments are typed from its own definitions, never by hand.
 */
import type { Argv, CommandModule, Options, PositionalOptions } from 'yargs';
import type { ArgsOf } from './options.js';
import type { Io } from './io.js';

export type SetExit = (code: number) => void;

/** A command as main.ts (or a parent command) registers it: built for one process's io and exit code. */
export type CliCommand = (io: Io, setExit: SetExit) => CommandModule;

export interface CommandDefinition<P extends Record<string, PositionalOptions>, O extends Record<string, Options>> {
  /** Name and positionals as yargs reads them, e.g. `show <run>`. */
  readonly command: string;
  readonly describe: string;
  /** How to read and describe the positionals named in `command`. */
  readonly positionals?: P;
  readonly options?: O;
  /** What the definitions cannot say, e.g. options that exclude each other. */
  readonly refine?: (y: Argv) => Argv;
  /** [command line, what it does], listed under Examples in this order. */
  readonly examples?: readonly (readonly [string, string])[];
  /** Runs the command; resolves to the exit code. */
  readonly run: (io: Io, args: ArgsOf<P & O>) => Promise<number>;
}

export function defineCommand<
  const P extends Record<string, PositionalOptions> = Record<never, never>,
  const O extends Record<string, Options> = Record<never, never>,
>(def: CommandDefinition<P, O>): CliCommand {
  return (io, setExit) => ({
    command: def.command,
    describe: def.describe,
    builder: (y: Argv) => {
      for (const [name, spec] of Object.entries(def.positionals ?? {})) y = y.positional(name, spec);
      y = y.options(def.options ?? {});
      if (def.refine) y = def.refine(y);
      for (const [line, what] of def.examples ?? []) y = y.example(line, what);
      return y;
    },
    // yargs has parsed and checked argv against these very definitions.
    handler: async (argv) => setExit(await def.run(io, argv as unknown as ArgsOf<P & O>)),
  });
}

/** A command that only groups subcommands (`fleet schedule …`): one of them must be named. */
export function defineCommandGroup(def: {
  readonly command: string;
  readonly describe: string;
  readonly commands: readonly CliCommand[];
  /** The error when none is named. */
  readonly demand: string;
}): CliCommand {
  return (io, setExit) => ({
    command: def.command,
    describe: def.describe,
    builder: (y: Argv) => withCommands(y, def.commands, io, setExit).demandCommand(1, def.demand),
    handler: () => undefined,
  });
}

/** Registers `commands` on `y`, in order (the order of `--help`). */
export function withCommands(y: Argv, commands: readonly CliCommand[], io: Io, setExit: SetExit): Argv {
  return commands.reduce((acc, command) => acc.command(command(io, setExit)), y);
}
