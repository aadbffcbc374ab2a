/** Whether the process that recorded a run is still the one running under its pid, on THIS machine. */
import { readFileSync } from 'node:fs';

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

/** Linux's USER_HZ: /proc/<pid>/stat counts start time in these ticks on every mainstream arch. */
const TICKS_PER_S = 100;

/** When process `pid` started (epoch ms, ±1 s), from /proc; undefined where /proc cannot tell. */
export function processStartedAt(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime); the command name (field 2) may hold spaces and parentheses: count from the last ')'.
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const btime = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    if (!Number.isFinite(ticks) || !Number.isFinite(btime)) return undefined;
    return (btime + ticks / TICKS_PER_S) * 1000;
  } catch {
    return undefined;
  }
}

/**
 * A process started this long after a run it supposedly recorded is another process that got the
 * same pid. Generous: a wall clock stepped forward (NTP) shifts the computed start time.
 */
const REUSE_SLACK_MS = 60_000;

/**
 * Whether the run recorded by `pid` at `runStartedAt` may still be running: the pid exists and its
 * process is not younger than the run. Unknown start time (no /proc) → trusts the pid alone.
 */
export function isRunOwnerAlive(pid: number, runStartedAt: number): boolean {
  if (!isProcessAlive(pid)) return false;
  const started = processStartedAt(pid);
  return started === undefined || started <= runStartedAt + REUSE_SLACK_MS;
}
