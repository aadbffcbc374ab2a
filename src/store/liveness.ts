/** Whether a process id on THIS machine still exists (signal 0 checks without sending anything). */
export function isProcessAlive(pid: number): boolean {
  // kill(0, …) and kill(-1, …) address process groups: never treat those as a pid.
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user. Only ESRCH means gone.
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
