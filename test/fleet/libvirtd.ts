/**
 * A real libvirtd (Debian's libvirt-daemon + libvirt-daemon-driver-qemu) on a simulated host that
 * asks for it (SimFleetOptions.libvirtd). It runs in the host's network namespace, in its own mount
 * namespace copied from the fleet's template (like sshd), with private directories bound over the
 * paths libvirt uses: /etc/libvirt (our libvirtd.conf and qemu.conf), /run/libvirt, /var/lib,
 * /var/cache and /var/log/libvirt, and copies of /etc/passwd and /etc/group that know `libvirt-qemu`
 * (the user Debian's build defaults to), and an /etc/hosts that resolves the host's name. The host's sshd binds the same directories (hostLibvirtFstab),
 * so an SSH session's `virsh -c qemu:///system` reaches this libvirtd exactly as on a real hypervisor.
 *
 * No security driver, cgroups or namespaces for QEMU, QEMU as root, no ownership changes: the test
 * bed has none of the system services those need, and they do not change the networking under test.
 * libvirtd and the QEMU it starts live in the host's network namespace, so the fleet's teardown
 * (which kills every process in its namespaces) removes them even when a test fails.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SimFleetError } from './exec.js';
import { CACHE_DIR } from './guests/assets.js';
import type { HostState } from './model.js';

const LIBVIRTD = '/usr/sbin/libvirtd';

/** Where libvirt looks (fixed in Debian's build) → our private directory under <hostdir>/libvirt/. */
const BINDS = [
  ['etc', '/etc/libvirt'],
  ['run', '/run/libvirt'],
  ['lib', '/var/lib/libvirt'],
  ['cache', '/var/cache/libvirt'],
  ['log', '/var/log/libvirt'],
] as const;

/** The private libvirt tree of a host. */
export function libvirtDir(h: HostState): string {
  return path.join(h.host.dir, 'libvirt');
}

/** The socket seen from the controller (outside the host's mount namespace). */
export function libvirtdSocket(h: HostState): string {
  return path.join(libvirtDir(h), 'run', 'libvirt-sock');
}

/** URI for virsh on the controller: qemu:///system, through this host's socket. */
export function controllerUri(h: HostState): string {
  return `qemu:///system?socket=${libvirtdSocket(h)}`;
}

/** QEMU's pidfile for a domain (libvirt writes it under /run/libvirt/qemu). */
export function domainPidPath(h: HostState, domain: string): string {
  return path.join(libvirtDir(h), 'run', 'qemu', `${domain}.pid`);
}

const LIBVIRTD_CONF = [
  '# libvirtd of one simulated hypervisor (fleet simulator): root-only socket, no auth (only root',
  '# in the host mount namespaces can reach it), logs to stderr = <hostdir>/libvirtd.log.',
  'unix_sock_group = "root"',
  'unix_sock_ro_perms = "0700"',
  'unix_sock_rw_perms = "0700"',
  'auth_unix_ro = "none"',
  'auth_unix_rw = "none"',
  'log_outputs = "3:stderr"',
  '',
].join('\n');

const QEMU_CONF = [
  '# QEMU driver of one simulated hypervisor (fleet simulator): see test/fleet/libvirtd.ts.',
  'user = "root"',
  'group = "root"',
  'dynamic_ownership = 0',
  'remember_owner = 0',
  'security_driver = "none"',
  'namespaces = []',
  'cgroup_controllers = []',
  // No virtlogd: QEMU's own log goes straight to /var/log/libvirt/qemu/<domain>.log.
  'stdio_handler = "file"',
  '',
].join('\n');

/**
 * QEMU's capabilities as libvirtd probed them, shared by every simulated libvirtd and kept between
 * runs next to the guest kernel: the probe (QEMU started and queried over QMP) is what makes the
 * first `virsh create` slow, 5 s on an idle machine and 48 s on a loaded one. libvirt re-probes by
 * itself when QEMU or libvirt changed, and replaces the files by rename, so sharing is safe.
 */
const CAPS_CACHE = path.join(CACHE_DIR, 'libvirt-qemu-capabilities');
const CAPS_PATH = 'qemu/capabilities';

/** fstab lines for the libvirt binds (sshd's and libvirtd's mount namespaces use the same ones). */
export function hostLibvirtFstab(h: HostState): string[] {
  const dir = libvirtDir(h);
  return [
    ...BINDS.map(([sub, target]) => `${dir}/${sub} ${target} none bind 0 0`),
    `${CAPS_CACHE} /var/cache/libvirt/${CAPS_PATH} none bind 0 0`,
    `${dir}/hosts /etc/hosts none bind 0 0`,
    `${dir}/passwd /etc/passwd none bind 0 0`,
    `${dir}/group /etc/group none bind 0 0`,
  ];
}

/** Writes the host's private libvirt tree and configs; makes the (empty) mount points exist. */
export function writeLibvirtdFiles(h: HostState): void {
  const dir = libvirtDir(h);
  for (const [sub, target] of BINDS) {
    mkdirSync(path.join(dir, sub), { recursive: true });
    // Bind mounts need a mount point; these are the empty directories a libvirt install creates.
    mkdirSync(target, { recursive: true });
  }
  mkdirSync(path.join(dir, 'cache', CAPS_PATH), { recursive: true });
  mkdirSync(CAPS_CACHE, { recursive: true });
  writeFileSync(path.join(dir, 'etc', 'libvirtd.conf'), LIBVIRTD_CONF);
  writeFileSync(path.join(dir, 'etc', 'qemu.conf'), QEMU_CONF);
  // libvirtd resolves its own hostname when it starts a domain; unresolvable, that waits for DNS
  // timeouts (45 s per `virsh create` measured), and DNS is unreachable from a host namespace.
  writeFileSync(path.join(dir, 'hosts'), `${readFileSync('/etc/hosts', 'utf8').trimEnd()}\n127.0.1.1 ${h.host.name}\n`);
  copyFileSync('/etc/passwd', path.join(dir, 'passwd'));
  copyFileSync('/etc/group', path.join(dir, 'group'));
  const passwd = readFileSync('/etc/passwd', 'utf8');
  const group = readFileSync('/etc/group', 'utf8');
  if (!/^libvirt-qemu:/m.test(group)) appendFileSync(path.join(dir, 'group'), 'libvirt-qemu:x:64055:\n');
  if (!/^libvirt-qemu:/m.test(passwd))
    appendFileSync(path.join(dir, 'passwd'), 'libvirt-qemu:x:64055:64055:Libvirt Qemu:/var/lib/libvirt:/usr/sbin/nologin\n');
}

/** Runs in libvirtd's new mount+UTS namespace (inside the host netns): $1 name, $2 fstab. */
const LAUNCH = `set -e
# The template's /dev overlay adds /dev/kvm for fleet's checks (sshd.ts), a node this machine cannot
# open. libvirtd would count KVM as usable, find no KVM in QEMU's probed capabilities, and re-probe
# QEMU on every domain start (~45 s on a loaded 2-core machine): it gets the machine's real /dev.
if awk '$1 == "fleet-sim-dev" && $2 == "/dev" { f = 1 } END { exit !f }' /proc/mounts; then umount /dev; fi
mount -a -T "$2"
echo "$1" > /proc/sys/kernel/hostname
# Its default pid file, /run/libvirtd.pid, is machine-wide: two simulated libvirtds would collide.
exec ${LIBVIRTD} -f /etc/libvirt/libvirtd.conf -p /run/libvirt/libvirtd.pid`;

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-3).join(' | ');
  } catch {
    return 'no log output';
  }
}

/**
 * Starts the host's libvirtd in a mount namespace copied from `templatePid`'s and waits until it
 * answers on its socket. Returns its pid.
 */
export async function startLibvirtd(h: HostState, templatePid: number, deadline: number): Promise<number> {
  if (!existsSync(LIBVIRTD)) throw new SimFleetError(`${h.host.name}: ${LIBVIRTD} missing (libvirt-daemon; .ci/install-deps installs it)`);
  const fstab = path.join(h.host.dir, 'libvirtd.fstab');
  writeFileSync(fstab, `${['fleet-sim-sysfs /sys sysfs rw,nosuid,nodev,noexec 0 0', ...hostLibvirtFstab(h)].join('\n')}\n`);
  const logPath = path.join(h.host.dir, 'libvirtd.log');
  const log = openSync(logPath, 'a');
  let child;
  try {
    child = spawn(
      'nsenter',
      [
        `--net=/run/netns/${h.host.netns}`,
        `--mount=/proc/${templatePid}/ns/mnt`,
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
        fstab,
      ],
      { detached: true, stdio: ['ignore', log, log] },
    );
  } finally {
    closeSync(log);
  }
  child.unref();
  child.on('error', () => undefined);
  const pid = child.pid;
  if (pid === undefined) throw new SimFleetError(`${h.host.name}: cannot start libvirtd (nsenter missing?)`);
  const sock = libvirtdSocket(h);
  // The socket appears once libvirtd listens (it removes a stale one first; the dir is new anyway).
  while (!existsSync(sock)) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new SimFleetError(`${h.host.name}: libvirtd exited during start: ${tail(logPath)}`);
    if (Date.now() > deadline) throw new SimFleetError(`${h.host.name}: libvirtd did not listen in time: ${tail(logPath)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return pid;
}
