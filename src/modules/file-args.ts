/** Arguments copy and template share, and where their local source files are looked up. */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { PlaybookError } from '../core/errors.js';
import { hasTemplate } from '../templates/lazy.js';
import { bool, checkArgs, str, type ArgSpec } from './args.js';
import type { FileWanted } from './put-file.js';
import { normaliseMode } from './put-file.js';
import type { ArgsAt } from './types.js';

export const FILE_ARG_TYPES = {
  dest: 'string',
  mode: 'string',
  owner: 'string',
  group: 'string',
  backup: 'bool',
  validate: 'string',
  force: 'bool',
} as const;

/** Load-time: a mode must be a quoted octal string (a bare YAML 644 is decimal and means something else). */
export function checkModeArg(args: Record<string, unknown>, at: ArgsAt, module: string): void {
  const mode = args['mode'];
  if (typeof mode === 'number') {
    throw new PlaybookError(`${module}: mode ${mode} is a YAML number; quote it as an octal string, e.g. mode: '0644'`, at.keyLoc('mode'));
  }
  if (typeof mode === 'string' && !hasTemplate(mode)) {
    try {
      normaliseMode(mode);
    } catch (err) {
      throw new PlaybookError(`${module}: ${(err as Error).message}`, at.keyLoc('mode'));
    }
  }
  const validate = args['validate'];
  if (typeof validate === 'string' && !validate.includes('%s')) {
    throw new PlaybookError(`${module}: validate must contain %s (the path of the file to check)`, at.keyLoc('validate'));
  }
}

/** Run-time: the rendered file arguments, without content. */
export function fileWanted(args: Record<string, unknown>, content: Buffer): FileWanted {
  const dest = str(args, 'dest');
  if (!dest) throw new Error("argument 'dest' is required");
  if (!dest.startsWith('/')) throw new Error(`dest must be an absolute path, got '${dest}'`);
  const validate = str(args, 'validate');
  return {
    dest,
    content,
    mode: normaliseMode(args['mode']),
    owner: str(args, 'owner'),
    group: str(args, 'group'),
    backup: bool(args, 'backup', false),
    force: bool(args, 'force', true),
    ...(validate ? { validate } : {}),
  };
}

/** A local file named by `src`: `<playbook dir>/files/<src>`, then `<playbook dir>/<src>` (or absolute). */
export function findLocalFile(playbookDir: string, src: string): string | undefined {
  const candidates = path.isAbsolute(src) ? [src] : [path.join(playbookDir, 'files', src), path.join(playbookDir, src)];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/** The parse step of a module that writes a file (copy, template): its args, with a valid `mode`. */
export function parseFileArgs(module: string, spec: ArgSpec): (raw: unknown, at: ArgsAt) => Record<string, unknown> {
  return (raw, at) => {
    const args = checkArgs(module, raw, spec, at);
    checkModeArg(args, at, module);
    return args;
  };
}
