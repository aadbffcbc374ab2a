/**
 * One real OpenSSH sshd per simulated host, started inside the host's network namespace (via
 * `ip netns exec`, so sessions see the host's /etc/netns overlay and /sys) and its own UTS namespace
 * (so `hostname` answers hv01). Started with -D as a detached child: no daemon double-fork, and node
 * reaps it when it is stopped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync, existsSync } from 'node:fs';
import net from 'node:net';
import { SimFleetError } from './exec.js';
import type { HostState } from './model.js';

const SSHD = '/usr/sbin/sshd';
const LAUNCH = 'hostname "$1" || exit 97; if [ -n "$3" ]; then . "$3" || exit 98; fi; exec "$4" -D -f "$2"';

const children = new Map<string, ChildProcess>();

/** Starts sshd for a host; `setupScript` (optional) runs first inside the namespace (sysctls, rules). */
export function spawnSshd(h: HostState, setupScript?: string): ChildProcess {
  const log = openSync(h.logPath, 'a');
  try {
    const child = spawn(
      'ip',
      ['netns', 'exec', h.host.netns, 'unshare', '--uts', 'sh', '-c', LAUNCH, 'sh', h.host.name, h.sshdConfigPath, setupScript ?? '', SSHD],
      { detached: true, stdio: ['ignore', log, log] },
    );
    child.unref();
    children.set(h.host.netns, child);
    child.on('exit', () => {
      if (children.get(h.host.netns) === child) children.delete(h.host.netns);
    });
    child.on('error', () => undefined);
    return child;
  } finally {
    closeSync(log);
  }
}

function tailOfLog(h: HostState): string {
  try {
    const lines = readFileSync(h.logPath, 'utf8').trim().split('\n');
    return lines[lines.length - 1] ?? '';
  } catch {
    return '';
  }
}

function tryConnect(address: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: address, port, timeout: timeoutMs });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.once('connect', () => done(true));
    s.once('timeout', () => done(false));
    s.once('error', () => done(false));
  });
}

/** Waits until the host's sshd accepts TCP connections from the root namespace. */
export async function waitSshdReady(h: HostState, deadline: number): Promise<void> {
  for (;;) {
    const child = children.get(h.host.netns);
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      throw new SimFleetError(`${h.host.name}: sshd exited during start: ${tailOfLog(h) || 'no log output'}`);
    }
    if (await tryConnect(h.host.address, 22, 1000)) return;
    if (Date.now() > deadline) {
      throw new SimFleetError(`${h.host.name}: sshd not reachable on ${h.host.address}:22 in time: ${tailOfLog(h) || 'no log output'}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

function pidFromFile(h: HostState): number | undefined {
  if (!existsSync(h.pidPath)) return undefined;
  const pid = Number(readFileSync(h.pidPath, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Stops the host's sshd listener and waits until it is gone (existing sessions are not touched). */
export async function stopSshd(h: HostState): Promise<void> {
  const child = children.get(h.host.netns);
  const pid = child?.pid ?? pidFromFile(h);
  if (pid === undefined) return;
  const exited = child
    ? new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())))
    : undefined;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  if (exited) {
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    return;
  }
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** True while the host's sshd (as started here) is running. */
export function sshdRunning(h: HostState): boolean {
  const child = children.get(h.host.netns);
  return !!child && child.exitCode === null && child.signalCode === null;
}

/** Forgets tracked children of a torn-down fleet. */
export function forgetSshd(netns: readonly string[]): void {
  for (const n of netns) children.delete(n);
}
