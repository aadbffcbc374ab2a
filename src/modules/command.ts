/**
 * `command`: runs a program with arguments and NO shell features, like Ansible's: the words are
 * split here and each one is quoted, so `$HOME`, `|` or `;` reach the program literally.
 */
import { PlaybookError } from '../core/errors.js';
import { shQuote, splitWords } from '../core/shell.js';
import { checkArgs, freeForm } from './args.js';
import { runShellLine } from './command-common.js';
import type { TaskModule } from './types.js';
import { hasTemplate } from '../templates/lazy.js';

const SPEC = {
  types: { cmd: 'string', argv: 'list', chdir: 'string', creates: 'string', removes: 'string', stdin: 'string', stdin_add_newline: 'bool' },
  oneOf: ['cmd', 'argv'],
  exclusive: [['cmd', 'argv']],
} as const;

export const commandModule: TaskModule = {
  name: 'command',
  parse(raw, at) {
    const args = checkArgs('command', freeForm('command', raw, at), SPEC, at);
    const cmd = args['cmd'];
    if (typeof cmd === 'string' && !hasTemplate(cmd)) {
      try {
        if (splitWords(cmd).length === 0) throw new Error('empty command');
      } catch (err) {
        throw new PlaybookError(`command: ${(err as Error).message}`, at.keyLoc('cmd'));
      }
    }
    return args;
  },
  mutates: () => true,
  async run(ctx, args) {
    const argv = Array.isArray(args['argv']) ? args['argv'].map(String) : splitWords(String(args['cmd'] ?? ''));
    if (argv.length === 0) throw new Error('empty command');
    return runShellLine(ctx, argv.map(shQuote).join(' '), args);
  },
};
