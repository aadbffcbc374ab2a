/**
 * Complete, synchronous teardown of everything a fleet with a given prefix may have left behind:
 * processes inside its namespaces (sshd, sessions, relays, hung commands), root-namespace links named
 * `<prefix>-*` (management bridges, veths), its namespaces, /etc/netns/<prefix>-*, its work dir and its
 * registry entries. Synchronous so it also runs from process 'exit' handlers. Idempotent.
 */
import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runSync } from './exec.js';
import { checkPrefix, forgetPrefix, listRecordedPrefixes, liveOwner, readRecord } from './registry.js';

export interface CleanupReport {
  prefix: string;
  killed: number[];
  links: string[];
  netns: string[];
  etc: string[];
  dirs: string[];
}

const NETNS_DIR = '/run/netns';
const ETC_NETNS = '/etc/netns';

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 3 (after the parenthesised comm) is the state; a zombie is as good as gone.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Processes whose network namespace is one of `inodes`, or whose command line mentions a fleet dir. */
function findProcesses(inodes: Set<string>, dirs: string[]): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    let hit = false;
    try {
      const ns = readlinkSync(`/proc/${pid}/ns/net`);
      hit = inodes.has(ns.slice(5, -1));
    } catch {
      continue;
    }
    if (!hit && dirs.length > 0) {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        hit = dirs.some((d) => cmd.includes(`${d}/`));
      } catch {
        /* process went away */
      }
    }
    if (hit) found.push(pid);
  }
  return found;
}

function killAll(pids: number[]): void {
  const signal = (sig: NodeJS.Signals, list: number[]) => {
    for (const pid of list) {
      try {
        process.kill(pid, sig);
      } catch {
        /* already gone */
      }
    }
  };
  signal('SIGTERM', pids);
  for (let i = 0; i < 60 && pids.some(isAlive); i++) sleepSync(50);
  const left = pids.filter(isAlive);
  if (left.length === 0) return;
  signal('SIGKILL', left);
  for (let i = 0; i < 40 && left.some(isAlive); i++) sleepSync(50);
}

/** Temp dirs the simulator creates by default: <tmp>/fleet-sim-<prefix>-XXXXXX. */
function defaultDirs(prefix: string): string[] {
  const tmp = os.tmpdir();
  try {
    return readdirSync(tmp)
      .filter((n) => n.startsWith(`fleet-sim-${prefix}-`))
      .map((n) => path.join(tmp, n));
  } catch {
    return [];
  }
}

export function cleanupPrefix(prefix: string): CleanupReport {
  checkPrefix(prefix);
  const rec = readRecord(prefix);
  const ownDirs = [...new Set([...(rec?.ownDir ? [rec.dir] : []), ...defaultDirs(prefix)])];
  const anyDirs = [...new Set([...ownDirs, ...(rec ? [rec.dir] : [])])];
  const mine = (name: string) => name.startsWith(`${prefix}-`);

  const netns = existsSync(NETNS_DIR) ? readdirSync(NETNS_DIR).filter(mine) : [];
  const inodes = new Set<string>();
  for (const ns of netns) {
    try {
      inodes.add(String(statSync(path.join(NETNS_DIR, ns)).ino));
    } catch {
      /* half-created */
    }
  }
  const killed = findProcesses(inodes, anyDirs);
  killAll(killed);

  const links = readdirSync('/sys/class/net').filter(mine);
  // Deleting links one by one costs an RCU grace period each (tens of ms under load: minutes for a big
  // fleet). Tag them with a one-off link group and delete the group: one batch, one grace period.
  // Namespaces are only unmounted here; the kernel tears their devices down in batches on its own.
  const group = 100_000 + Math.floor(Math.random() * 1_000_000_000);
  const batch = [
    ...links.map((l) => `link set dev ${l} group ${group}`),
    ...(links.length > 0 ? [`link del group ${group}`] : []),
    ...netns.map((n) => `netns del ${n}`),
  ];
  if (batch.length > 0) runSync('ip', ['-force', '-batch', '-'], { input: `${batch.join('\n')}\n`, timeoutMs: 300_000 });

  const etc = existsSync(ETC_NETNS)
    ? readdirSync(ETC_NETNS)
        .filter(mine)
        .map((n) => path.join(ETC_NETNS, n))
    : [];
  // /etc/netns itself stays: other tools may be creating entries in it right now.
  for (const e of etc) rmSync(e, { recursive: true, force: true });
  for (const d of ownDirs) rmSync(d, { recursive: true, force: true });
  forgetPrefix(prefix);
  return { prefix, killed, links, netns, etc, dirs: ownDirs };
}

/** What of a prefix is still present (empty lists = nothing left); used by tests and the cleanup script. */
export function leftovers(
  prefix: string,
  dir?: string,
): { netns: string[]; links: string[]; etc: string[]; processes: number[]; dirs: string[] } {
  const mine = (name: string) => name.startsWith(`${prefix}-`);
  const netns = existsSync(NETNS_DIR) ? readdirSync(NETNS_DIR).filter(mine) : [];
  const links = readdirSync('/sys/class/net').filter(mine);
  const etc = existsSync(ETC_NETNS) ? readdirSync(ETC_NETNS).filter(mine) : [];
  const dirs = [...new Set([...defaultDirs(prefix), ...(dir && existsSync(dir) ? [dir] : [])])];
  // Match processes by the dir even when the dir itself is already gone.
  const processes = findProcesses(new Set(), [...new Set([...dirs, ...(dir ? [dir] : [])])]).filter(isAlive);
  return { netns, links, etc, processes, dirs };
}

/**
 * Removes fleets whose owning process died without tearing them down (SIGKILLed test workers), so
 * a machine running tests over and over does not accumulate them. Detached fleets are left alone, and
 * so are records younger than `minAgeMs` (their owner may have died a moment ago on purpose).
 */
export function cleanupOrphans(minAgeMs = 60_000): string[] {
  const removed: string[] = [];
  for (const prefix of listRecordedPrefixes()) {
    const rec = readRecord(prefix);
    if (!rec || rec.detached || rec.pid === process.pid || liveOwner(rec) !== undefined) continue;
    if (Date.now() - Date.parse(rec.createdAt) < minAgeMs) continue;
    cleanupPrefix(prefix);
    removed.push(prefix);
  }
  return removed;
}
