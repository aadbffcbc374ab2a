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
