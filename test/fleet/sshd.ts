/**
 * One real OpenSSH sshd per simulated host, in the host's network namespace, its own UTS namespace
 * (`hostname` answers hv01) and its own mount namespace with what `ip netns exec` would give it: a
 * sysfs of the host's netns and /etc/netns/<netns>/* bound over /etc. Started with -D as a detached
 * child: no daemon double-fork, node reaps it when it is stopped.
 *
 * Why not plain `ip netns exec`: every mount namespace it creates copies the whole mount table,
 * including one /run/netns entry per simulated host, so a fleet of N hosts would hold N×N mounts.
 * Instead each fleet keeps one "template" mount namespace with /run/netns unmounted (a sleeping
 * process in the fleet's fabric netns); every sshd's mount namespace is a small private copy of it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { SimFleetError } from './exec.js';
import type { HostState } from './model.js';

const SSHD = '/usr/sbin/sshd';

/**
 * Runs in the new mount+UTS namespace (already inside the host netns): $1 name, $2 fstab, $3 config,
 * $4 setup script. One `mount -a` does sysfs and the /etc binds (see renderHostFstab): few execs per
 * host, which is what bounds start-up time for big fleets.
 */
const LAUNCH = `set -e
mkdir -p /run/fleet
mount -a -T "$2"
echo "$1" > /proc/sys/kernel/hostname
if [ -n "$4" ]; then . "$4"; fi
# -e: log to stderr, i.e. <dir>/hvNN/sshd.log (LogLevel VERBOSE: one line per connection and per channel).
exec ${SSHD} -D -e -f "$3"`;

/**
 * fstab for a host's sshd mount namespace: its netns' sysfs, its own /run/fleet (where fleet keeps
 * per-host runtime state such as the bridge transaction lock), its own empty /root, then each
 * /etc/netns entry over /etc.
 *
 * The empty /root: sshd runs every command through root's login shell, and bash sources ~/.bashrc
 * for commands that come over SSH. The controller's own ~/.bashrc (pyenv, cargo... on a developer
 * machine: ~0.5 s of CPU each) would otherwise run on every exec of every simulated host, which on a
 * 2-core machine turns 5 concurrent remediations into a CPU queue that outlasts the dead-man switch.
 * A real hypervisor has its own root home, not the controller's.
 */
export function renderHostFstab(etcDir: string, entries: readonly string[], extra: readonly string[] = []): string {
  return [
    // A source name other than "sysfs", or `mount -a` would think /sys is already mounted.
    'fleet-sim-sysfs /sys sysfs rw,nosuid,nodev,noexec 0 0',
    'fleet-sim-run /run/fleet tmpfs rw,nosuid,nodev,size=1m,mode=755 0 0',
    'fleet-sim-root /root tmpfs rw,nosuid,nodev,size=4m,mode=700 0 0',
    ...entries.map((e) => `${etcDir}/${e} /etc/${e} none bind 0 0`),
    // e.g. a real libvirtd's private directories (libvirtd.ts), so sessions reach its socket.
    ...extra,
    '',
  ].join('\n');
}

/**
 * A hypervisor has /dev/kvm and /dev/vhost-net; the machine running the test bed may not (a VM
 * without nested virtualisation). Device nodes are host-global, so without this a clean simulated
 * host would fail kernel.modules-devices because of the controller's machine. The template mount
 * namespace (and so every sshd's copy of it) sees /dev through an overlay whose upper layer adds
 * the missing nodes (10:232 and 10:238, their real misc minors). Only simulated hosts see them.
 */
const SIMULATED_DEV = [
  '{ [ -c /dev/kvm ] && [ -c /dev/vhost-net ] || {',
  'mount -t tmpfs -o size=64k,mode=700 fleet-sim-dev /mnt && mkdir /mnt/upper /mnt/work &&',
  '{ [ -c /dev/kvm ] || mknod -m 660 /mnt/upper/kvm c 10 232; } &&',
  '{ [ -c /dev/vhost-net ] || mknod -m 600 /mnt/upper/vhost-net c 10 238; } &&',
  'mount -t overlay -o lowerdir=/dev,upperdir=/mnt/upper,workdir=/mnt/work fleet-sim-dev /dev; }; }',
].join(' ');

const children = new Map<string, ChildProcess>();
const templates = new Map<string, number>();

function mountsOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/mountinfo`, 'utf8');
  } catch {
    return undefined;
  }
}

/** The fleet's template mount namespace process (started on first use, restarted if gone). */
export async function templatePid(prefix: string, fabricNetns: string): Promise<number> {
  const known = templates.get(prefix);
  if (known !== undefined && mountsOf(known) !== undefined) return known;
  const child = spawn(
    'nsenter',
    [
      `--net=/run/netns/${fabricNetns}`,
      'unshare',
      '--mount',
      '--propagation',
      'private',
      'sh',
      '-c',
      `umount -l /run/netns && mount -t tmpfs -o size=16k,mode=755 fleet-sim /run/netns && ${SIMULATED_DEV} && exec sleep 2147483647`,
    ],
    { detached: true, stdio: 'ignore' },
  );
  child.unref();
  child.on('error', () => undefined);
  const pid = child.pid;
  if (pid === undefined) throw new SimFleetError(`fleet ${prefix}: cannot start the mount template process (nsenter missing?)`);
  // Ready once the shell has unmounted /run/netns and exec'd sleep.
  for (let i = 0; i < 500 && child.exitCode === null; i++) {
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      break;
    }
    if (cmd.startsWith('sleep')) {
      templates.set(prefix, pid);
      return pid;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new SimFleetError(`fleet ${prefix}: the mount template process did not start`);
}

/** Starts sshd for a host; `setupScript` (optional) runs first inside the namespace (sysctls, rules). */
export async function spawnSshd(prefix: string, fabricNetns: string, h: HostState, setupScript?: string): Promise<ChildProcess> {
  const template = await templatePid(prefix, fabricNetns);
  const log = openSync(h.logPath, 'a');
  try {
    const child = spawn(
      'nsenter',
      [
        `--net=/run/netns/${h.host.netns}`,
        `--mount=/proc/${template}/ns/mnt`,
        'unshare',
        '--mount',
        '--uts',
        '--propagation',
        'private',
        'sh',
        '-c',
        LAUNCH,
        'sh',
        h.host.name,
        h.fstabPath,
        h.sshdConfigPath,
        setupScript ?? '',
      ],
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

/** The pid sshd wrote (after it started listening), if it is the pid we started. */
function listeningPid(h: HostState, child: ChildProcess): boolean {
  try {
    return Number(readFileSync(h.pidPath, 'utf8').trim()) === child.pid;
  } catch {
    return false;
  }
}

/**
 * Waits until the host's sshd listens: it writes its PidFile right after binding. (Not by
 * connecting: every connection makes sshd re-exec itself, which is most of the start-up cost.)
 */
export async function waitSshdReady(h: HostState, deadline: number): Promise<void> {
  for (;;) {
    const child = children.get(h.host.netns);
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      throw new SimFleetError(`${h.host.name}: sshd exited during start: ${tailOfLog(h) || 'no log output'}`);
    }
    if (listeningPid(h, child)) return;
    if (Date.now() > deadline) {
      throw new SimFleetError(
        `${h.host.name}: sshd did not start listening on ${h.host.address}:22 in time: ${tailOfLog(h) || 'no log output'}`,
      );
    }
    await new Promise((r) => setTimeout(r, 20));
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

/** Forgets tracked children and the template of a torn-down fleet. */
export function forgetSshd(prefix: string, netns: readonly string[]): void {
  for (const n of netns) children.delete(n);
  templates.delete(prefix);
}
