/**
 * Writing `-o FILE` of report and export. The content is written to a private temporary file in
 * the target's own directory (random name, O_EXCL: no predictable path another user could plant)
 * and renamed over the target, so a reader never sees half a file. A rename replaces whatever the
 * name is, so non-regular targets are refused first: a FIFO, a device or a symlink would otherwise
 * become a plain file (as root, `-o /dev/full` replaced the device). Files are created 0600, like
 * the DB holding the same data, whatever the umask, unless `--mode` asks for another mode.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, lstatSync, openSync, renameSync, rmSync, writeSync, type Stats } from 'node:fs';
import path from 'node:path';
import type { Options } from 'yargs';
import { InputError } from '../core/errors.js';

export const DEFAULT_OUTPUT_MODE = 0o600;

export const outputModeOption = {
  mode: {
    type: 'string',
    description: 'File mode of the -o file, octal (default 0600, like the results DB; 0644 for a web server)',
  },
} as const satisfies Record<string, Options>;

/** Parses --mode (octal, e.g. 0644); undefined gives the default. */
export function parseOutputMode(mode: string | undefined): number {
  if (mode === undefined) return DEFAULT_OUTPUT_MODE;
  if (!/^0?[0-7]{3}$/.test(mode)) throw new InputError(`--mode must be an octal file mode such as 0600 or 0644, not '${mode}'`);
  return parseInt(mode, 8);
}

function kindOf(st: Stats): string {
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a file';
}

/** Writes `content` to `file` (absolute) as described above; errors are one-line InputErrors. */
export function writeOutputFile(file: string, content: string, mode: number = DEFAULT_OUTPUT_MODE): void {
  let st: Stats | undefined;
  try {
    st = lstatSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw cannotWrite(file, err);
  }
  if (st && !st.isFile()) throw new InputError(`refusing to write ${file}: it is ${kindOf(st)}, not a regular file (use -o - for stdout)`);
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(8).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', 0o600);
    fchmodSync(fd, mode); // the umask may have narrowed (or, for 0600, not applied) the mode asked for
    writeSync(fd, content);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, file);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw cannotWrite(file, err);
  }
}

function cannotWrite(file: string, err: unknown): InputError {
  return new InputError(`cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
}
