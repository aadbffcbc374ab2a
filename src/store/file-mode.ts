/**
 * The database holds command output from every hypervisor: keep it private to the user running fleet.
 * We create the file ourselves (0600) before SQLite sees it; SQLite then gives -wal/-shm the same mode.
 */
import { closeSync, constants, fchmodSync, openSync, statSync, chmodSync } from 'node:fs';
import { StoreError } from './errors.js';

/** Creates `path` empty with mode 0600 if it does not exist; returns whether it created it. */
export function createPrivateFile(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EEXIST') return false;
    throw new StoreError(path, `cannot create database (${e.code ?? e.message})`, 'FLEET_STORE_CANTOPEN');
  }
  try {
    fchmodSync(fd, 0o600); // the umask may have removed bits we need (never added any)
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * A DB that others may read (created before fleet made it 0600, or copied with a loose umask) is
 * made owner-only by every command that writes it. Not ours to change (EPERM): left as it is.
 */
export function tightenDbFile(path: string): void {
  try {
    const st = statSync(path);
    if ((st.mode & 0o077) !== 0) chmodSync(path, st.mode & 0o700);
  } catch {
    // vanished or not ours: opening it reports what matters
  }
}

/** For read-only commands, which change nothing: a warning when others may read the DB, else undefined. */
export function looseModeWarning(path: string): string | undefined {
  try {
    const mode = statSync(path).mode & 0o777;
    if ((mode & 0o077) === 0) return undefined;
    return `${path} is readable by other users (mode 0${mode.toString(8)}) and holds every host's command output: chmod 600 it (the next fleet run or exec does)`;
  } catch {
    return undefined;
  }
}

/** Removes world access from the -wal/-shm files if a process with a loose umask created them. */
export function tightenSidecars(path: string): void {
  for (const suffix of ['-wal', '-shm']) {
    try {
      const st = statSync(path + suffix);
      if ((st.mode & 0o007) !== 0) chmodSync(path + suffix, st.mode & 0o770);
    } catch {
      // absent (not created yet) or not ours: nothing to tighten
    }
  }
}
