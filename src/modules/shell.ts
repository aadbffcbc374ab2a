/** `shell`: runs a command line through a shell (pipes, redirections, variables), like Ansible's. */
import { shQuote } from '../core/shell.js';
import { checkArgs, freeForm, str } from './args.js';
import { runShellLine } from './command-common.js';
import type { TaskModule } from './types.js';

const SPEC = {
  types: {
    cmd: 'string',
    chdir: 'string',
    creates: 'string',
    removes: 'string',
    stdin: 'string',
    stdin_add_newline: 'bool',
    executable: 'string',
  },
  required: ['cmd'],
} as const;

export const shellModule: TaskModule = {
  name: 'shell',
  parse: (raw, at) => checkArgs('shell', freeForm('shell', raw, at), SPEC, at),
  mutates: () => true,
  async run(ctx, args) {
    const cmd = str(args, 'cmd') ?? '';
    const executable = str(args, 'executable');
    // The remote side already runs our line through sh; an explicit executable gets the line as one argument.
    const line = executable ? `${shQuote(executable)} -c ${shQuote(cmd)}` : cmd;
    return runShellLine(ctx, line, args);
  },
};
