/** Looking at this machine's processes through /proc (the test sshd runs here too). */
import { readdirSync, readFileSync } from 'node:fs';

/** Command lines of every process (NULs turned into spaces). */
export function allCommandLines(): { pid: number; cmdline: string }[] {
  const out: { pid: number; cmdline: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      if (cmdline) out.push({ pid: Number(entry), cmdline });
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

/** Pids whose command line is exactly `argv.join(' ')`. */
export function pidsRunning(argv: readonly string[]): number[] {
  const wanted = argv.join(' ');
  return allCommandLines()
    .filter((p) => p.cmdline === wanted)
    .map((p) => p.pid);
}

/** Waits until no process runs `argv` (true), or gives up after `ms` (false). */
export async function waitGone(argv: readonly string[], ms = 3000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (pidsRunning(argv).length === 0) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return pidsRunning(argv).length === 0;
}

/** Test hygiene: kill leftovers by pid (never by name pattern). */
export function killAll(argv: readonly string[]): void {
  for (const pid of pidsRunning(argv)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}
