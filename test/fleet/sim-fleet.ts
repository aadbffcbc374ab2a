/**
 * SimFleet: a real simulated KVM hypervisor fleet for integration tests, benchmarks and the demo.
 *
 *   const fleet = await SimFleet.up({ prefix: 'fl', count: 3 });
 *   // fleet.inventoryPath, fleet.knownHostsPath, fleet.keyPath, fleet.hosts[i].address …
 *   await fleet.inject('hv02', 'bridge.ip-on-port');
 *   await fleet.run('hv02', 'ip -j addr');           // assertions without SSH
 *   const before = await fleet.snapshot('hv01');     // deterministic state text
 *   await fleet.down();                               // complete teardown
 *
 * Each host is a network namespace `<prefix>-hvNN` running its own OpenSSH sshd (own host key, root by
 * key only) with br0 (management, holds the address), br1 (VM bridge with uplink eth1 and tap-<vm>
 * ports), a libvirt test-driver XML (virsh -c test:///…) and /etc/network/interfaces via /etc/netns.
 * Layout and addressing: topology.ts and addressing.ts; faults: faults/; README.md has the tables.
 * Needs root (CAP_NET_ADMIN for namespaces). Everything is removed by down(), by exit/signal
 * handlers, and by the next up() or cleanup.js with the same prefix after a crash.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pLimit from 'p-limit';
import { blocksNeeded, MAX_HOSTS } from './addressing.js';
import { cleanupOrphans, cleanupPrefix, type CleanupReport } from './cleanup-lib.js';
import { ipBatch, SimFleetError, type RunResult } from './exec.js';
import { ed25519KeyPair } from './keys.js';
import { registerLiveFleet, unregisterLiveFleet } from './exit-hooks.js';
import { FAULTS } from './faults/index.js';
import type { FaultContext, FaultName, FaultOptionsMap } from './faults/types.js';
import { nicMacs, planHosts, type HostState, type SimHost, type VmNetworkMode } from './model.js';
import { checkPrefix, claimBlocks, liveOwner, readRecord, writeRecord } from './registry.js';
import { renderInterfaces } from './render/interfaces.js';
import { renderInventory } from './render/inventory.js';
import { renderLibvirtNatRules } from './render/libvirt-nat-rules.js';
import { renderLibvirtXml } from './render/libvirt-xml.js';
import { renderSshdConfig } from './render/sshd-config.js';
import { run as runInHost, type RunInHostOptions } from './run.js';
import { snapshotHost } from './snapshot.js';
import { controllerUri, domainPidPath, hostLibvirtFstab, startLibvirtd, writeLibvirtdFiles } from './libvirtd.js';
import { forgetSshd, renderHostFstab, spawnSshd, stopSshd, templatePid, waitSshdReady } from './sshd.js';
import { fabricBatch, hostBatch, names, rootBatch } from './topology.js';

export interface SimFleetOptions {
  /** 1-6 lowercase letters/digits; namespaces are `<prefix>-hv01`…, root links `<prefix>-…`. */
  prefix: string;
  /** Number of hosts, 1…16000. */
  count: number;
  /** First /20 address block (0…27) in 198.18.0.0/15; default: the first free one (claimed atomically). */
  subnetIndex?: number;
  /** Work dir for keys, configs, XML, logs; default a new temp dir (deleted by down()). */
  dir?: string;
  /** 'bridge' (default): all VMs on br1. 'nat': also a libvirt NAT network `default` on virbr0 with the first VM on it. */
  vmNetworkMode?: VmNetworkMode;
  /** VMs per host (1…3); default cycles 1, 2, 3 across hosts. */
  vmsPerHost?: number;
  /** Parallel setup jobs (default 8). */
  concurrency?: number;
  /**
   * Hosts (e.g. ['hv01']) whose guests a real libvirtd manages (libvirtd.ts): fleet reaches it over
   * SSH with qemu:///system, and tests boot real guests with guests/libvirt-guest.ts. Default none.
   */
  libvirtd?: readonly string[];
}

/** Milliseconds spent per phase of up(). */
export type UpTimings = Record<'cleanup' | 'files' | 'root' | 'hosts' | 'fabric' | 'sshd' | 'total', number>;

const TOOLS = [
  'ip',
  'nsenter',
  'unshare',
  'mount',
  'umount',
  'hostname',
  'sh',
  'sysctl',
  'virsh',
  'nft',
  'iptables-nft-restore',
  'tc',
  'ss',
];

function requireRootAndTools(): void {
  if (process.getuid?.() !== 0) {
    throw new SimFleetError('SimFleet needs root: it creates network namespaces, bridges and veths (CAP_NET_ADMIN) and runs sshd in them');
  }
  const dirs = (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':').concat(['/usr/sbin', '/sbin']);
  const missing = TOOLS.filter((t) => !dirs.some((d) => existsSync(path.join(d, t))));
  if (!existsSync('/usr/sbin/sshd')) missing.push('/usr/sbin/sshd (openssh-server)');
  if (missing.length > 0) throw new SimFleetError(`SimFleet needs these programs: ${missing.join(', ')}`);
}

/**
 * Raises the neighbour (ARP) table limits when a big fleet would overflow them: the table is shared by
 * all namespaces and the root namespace holds one entry per host, each host one for its gateway.
 * These sysctls are machine-global (init_net only); they are raised, never lowered.
 */
function ensureNeighbourCapacity(count: number): void {
  const need = 2 * count + 256;
  const want: Record<string, number> = { gc_thresh2: need, gc_thresh3: 2 * need };
  for (const [k, v] of Object.entries(want)) {
    const p = `/proc/sys/net/ipv4/neigh/default/${k}`;
    if (v > Number(readFileSync(p, 'utf8').trim())) writeFileSync(p, String(v));
  }
}

export class SimFleet {
  readonly prefix: string;
  readonly dir: string;
  /** First /20 block of 198.18.0.0/15 this fleet owns. */
  readonly block: number;
  readonly vmNetworkMode: VmNetworkMode;
  readonly hosts: readonly SimHost[];
  readonly inventoryPath: string;
  readonly knownHostsPath: string;
  /** Client private key (ed25519, OpenSSH format) authorised as root on every host. */
  readonly keyPath: string;
  /** Root-namespace management bridges (one per 1000 hosts). */
  readonly mgmtBridges: readonly string[];
  /** Namespace holding the VM LANs and guest ends. */
  readonly fabricNetns: string;
  readonly timings: UpTimings;
  private readonly states: ReadonlyMap<string, HostState>;
  private isDown = false;

  private constructor(init: {
    prefix: string;
    dir: string;
    block: number;
    vmNetworkMode: VmNetworkMode;
    states: HostState[];
    timings: UpTimings;
  }) {
    this.prefix = init.prefix;
    this.dir = init.dir;
    this.block = init.block;
    this.vmNetworkMode = init.vmNetworkMode;
    this.states = new Map(init.states.map((s) => [s.host.name, s]));
    this.hosts = init.states.map((s) => s.host);
    this.inventoryPath = path.join(init.dir, 'inventory.ini');
    this.knownHostsPath = path.join(init.dir, 'known_hosts');
    this.keyPath = path.join(init.dir, 'id_ed25519');
    this.mgmtBridges = [...new Set(this.hosts.map((h) => names.mgmtBridge(init.prefix, h.segment)))];
    this.fabricNetns = names.fabric(init.prefix);
    this.timings = init.timings;
  }

  /** Brings up a fleet (removing leftovers of an earlier run with the same prefix first). */
  static async up(opts: SimFleetOptions): Promise<SimFleet> {
    const t0 = Date.now();
    const mark = (() => {
      let last = t0;
      return () => {
        const now = Date.now();
        const d = now - last;
        last = now;
        return d;
      };
    })();
    checkPrefix(opts.prefix);
    if (!Number.isInteger(opts.count) || opts.count < 1 || opts.count > MAX_HOSTS) {
      throw new SimFleetError(`SimFleet count must be an integer 1-${MAX_HOSTS}, got ${opts.count}`);
    }
    if (opts.vmsPerHost !== undefined && ![1, 2, 3].includes(opts.vmsPerHost)) {
      throw new SimFleetError(`SimFleet vmsPerHost must be 1, 2 or 3, got ${opts.vmsPerHost}`);
    }
    if (opts.dir !== undefined && !/^\/[A-Za-z0-9._/-]+$/.test(opts.dir)) {
      throw new SimFleetError(`SimFleet dir must be an absolute path of letters, digits, ., _, -, /: ${opts.dir}`);
    }
    requireRootAndTools();
    const prefix = opts.prefix;
    const owner = liveOwner(readRecord(prefix));
    if (owner !== undefined) {
      throw new SimFleetError(`fleet prefix "${prefix}" is in use by live process ${owner}; use another prefix or stop that process`);
    }
    cleanupPrefix(prefix);
    cleanupOrphans();
    const cleanup = mark();

    const block = claimBlocks(prefix, blocksNeeded(opts.count), opts.subnetIndex);
    const ownDir = opts.dir === undefined;
    const dir = ownDir ? mkdtempSync(path.join(os.tmpdir(), `fleet-sim-${prefix}-`)) : path.resolve(opts.dir!);
    mkdirSync(dir, { recursive: true });
    writeRecord({
      prefix,
      dir,
      ownDir,
      blocks: [...Array(blocksNeeded(opts.count)).keys()].map((i) => block + i),
      pid: process.pid,
      createdAt: new Date().toISOString(),
    });
    registerLiveFleet(prefix);
    try {
      ensureNeighbourCapacity(opts.count);
      const vmNetworkMode = opts.vmNetworkMode ?? 'bridge';
      const natMode = vmNetworkMode === 'nat';
      const hostKeys = Array.from({ length: opts.count }, (_, i) => ed25519KeyPair(`${prefix}-host-${i + 1}`));
      const states = planHosts({
        prefix,
        count: opts.count,
        block,
        dir,
        vmNetworkMode,
        vmsPerHost: opts.vmsPerHost,
        hostPublicKeys: hostKeys.map((k) => k.public),
        libvirtd: new Set(opts.libvirtd ?? []),
      });
      const unknown = (opts.libvirtd ?? []).filter((n) => !states.some((s) => s.host.name === n));
      if (unknown.length > 0) throw new SimFleetError(`SimFleet libvirtd names unknown hosts: ${unknown.join(', ')}`);
      const client = ed25519KeyPair(`fleet-sim-${prefix}`);
      const keyPath = path.join(dir, 'id_ed25519');
      writeFileSync(keyPath, client.private, { mode: 0o600 });
      writeFileSync(`${keyPath}.pub`, `${client.public}\n`);
      const setupPath = path.join(dir, 'host-setup.sh');
      if (natMode) {
        writeFileSync(path.join(dir, 'libvirt-nat.rules'), renderLibvirtNatRules());
        writeFileSync(
          setupPath,
          `# run once inside each host namespace before sshd (vmNetworkMode nat)\nsysctl -qw net.ipv4.ip_forward=1 || exit 1\niptables-nft-restore < ${path.join(dir, 'libvirt-nat.rules')} || exit 1\n`,
        );
      }
      for (const [i, s] of states.entries()) writeHostFiles(s, hostKeys[i]!.private, client.public, block);
      writeFileSync(path.join(dir, 'known_hosts'), states.map((s) => `${s.host.address} ${s.host.hostPublicKey}\n`).join(''));
      writeFileSync(
        path.join(dir, 'inventory.ini'),
        renderInventory({
          prefix,
          hosts: states.map((s) => s.host),
          keyPath,
          knownHostsPath: path.join(dir, 'known_hosts'),
          vmNetworkMode,
          l2Segment: (h) => `${prefix}-${names.lanBridge(h)}`,
        }),
      );
      const files = mark();

      await ipBatch(`fleet ${prefix}: root namespace setup`, rootBatch(prefix, block, states));
      // Network safety: the controller answers its hosts, but never routes their packets onwards
      // (even if the machine has ip_forward=1), so nothing from a host leaves 198.18.0.0/15.
      for (const seg of new Set(states.map((s) => s.host.segment))) {
        writeFileSync(`/proc/sys/net/ipv4/conf/${names.mgmtBridge(prefix, seg)}/forwarding`, '0');
      }
      const root = mark();
      const limit = pLimit(opts.concurrency ?? 8);
      await Promise.all(
        states.map((s) => limit(() => ipBatch(`${s.host.name}: network setup`, hostBatch(prefix, block, s, natMode), s.host.netns))),
      );
      const hostsMs = mark();
      await ipBatch(`fleet ${prefix}: fabric setup`, fabricBatch(states), names.fabric(prefix));
      const fabric = mark();
      const deadline = Date.now() + 30_000 + opts.count * 50;
      // sshd start-up is mostly waiting (exec, key load, listen), so more of them overlap well.
      const sshdLimit = pLimit(4 * (opts.concurrency ?? 8));
      await Promise.all(
        states.map((s) =>
          sshdLimit(async () => {
            await spawnSshd(prefix, names.fabric(prefix), s, natMode ? setupPath : undefined);
            await waitSshdReady(s, deadline);
          }),
        ),
      );
      // libvirtd answers in ~0.1 s, but its first `virsh create` probes QEMU's capabilities (seconds).
      for (const s of states.filter((x) => x.host.libvirtd)) {
        await startLibvirtd(s, await templatePid(prefix, names.fabric(prefix)), Date.now() + 30_000);
      }
      const sshd = mark();
      return new SimFleet({
        prefix,
        dir,
        block,
        vmNetworkMode,
        states,
        timings: { cleanup, files, root, hosts: hostsMs, fabric, sshd, total: Date.now() - t0 },
      });
    } catch (e) {
      cleanupPrefix(prefix);
      unregisterLiveFleet(prefix);
      throw e;
    }
  }

  /** The host called `name` (hv01 …); throws a one-line error for an unknown name. */
  host(name: string): SimHost {
    return this.state(name).host;
  }

  private state(name: string): HostState {
    const s = this.states.get(name);
    if (!s) throw new SimFleetError(`fleet ${this.prefix} has no host "${name}"`);
    return s;
  }

  /**
   * Arguments for the system `ssh` client to reach a host as the controller would: fleet key, the
   * fleet's known_hosts, strict host key checking, batch mode. Append the remote command.
   */
  sshArgs(name: string, connectTimeoutS = 5): string[] {
    const { host } = this.state(name);
    return [
      '-i',
      this.keyPath,
      '-o',
      `UserKnownHostsFile=${this.knownHostsPath}`,
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'BatchMode=yes',
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      `ConnectTimeout=${connectTimeoutS}`,
      '-o',
      'LogLevel=ERROR',
      '-p',
      String(host.port),
      `root@${host.address}`,
    ];
  }

  /**
   * For virsh on the controller: the URI of the host's real libvirtd (qemu:///system through its
   * socket) and where QEMU's pidfile of `domain` is. Throws for a host without one.
   */
  libvirtd(name: string): { readonly uri: string; pidPath(domain: string): string } {
    const s = this.state(name);
    if (!s.host.libvirtd) throw new SimFleetError(`${name} has no real libvirtd (SimFleetOptions.libvirtd)`);
    return { uri: controllerUri(s), pidPath: (domain) => domainPidPath(s, domain) };
  }

  /** Runs a shell command inside the host's namespace (ip netns exec; no SSH). */
  run(name: string, cmd: string, opts?: RunInHostOptions): Promise<RunResult> {
    return runInHost(this.state(name).host, cmd, opts);
  }

  /** Deterministic text of the host's state (see snapshot.ts). */
  snapshot(name: string): Promise<string> {
    return snapshotHost(this.state(name));
  }

  /** The host key sshd currently serves (differs from known_hosts after `hostkey-changed`). */
  currentHostKey(name: string): string {
    return readFileSync(`${this.state(name).hostKeyPath}.pub`, 'utf8').trim();
  }

  /** Stops the host's sshd listener (the `sshd-stopped` fault). */
  stopSshd(name: string): Promise<void> {
    return stopSshd(this.state(name));
  }

  /** (Re)starts the host's sshd and waits until it accepts connections. */
  async startSshd(name: string): Promise<void> {
    const s = this.state(name);
    await stopSshd(s);
    await spawnSshd(this.prefix, this.fabricNetns, s);
    await waitSshdReady(s, Date.now() + 15_000);
  }

  /** Makes a real change on `host` that the named check must detect (table in README.md). */
  async inject<F extends FaultName>(name: string, fault: F, opts?: FaultOptionsMap[F]): Promise<void> {
    if (this.isDown) throw new SimFleetError(`fleet ${this.prefix} is down`);
    const h = this.state(name);
    const impl = FAULTS[fault];
    if (!impl) throw new SimFleetError(`unknown fault "${String(fault)}"`);
    const ctx: FaultContext = {
      prefix: this.prefix,
      block: this.block,
      natMode: this.vmNetworkMode === 'nat',
      h,
      all: [...this.states.values()],
      ip: (lines) => ipBatch(`${name}: ${fault}`, lines, h.host.netns),
      ipIn: (netns, lines) => ipBatch(`${name}: ${fault}`, lines, netns),
      sh: async (script) => {
        const r = await runInHost(h.host, `set -e\n${script}`, { timeoutMs: 30_000 });
        if (r.code !== 0)
          throw new SimFleetError(`${name}: ${fault}: ${(r.stderr.trim() || r.stdout.trim()).split('\n')[0] ?? `exit ${r.code}`}`);
        return r.stdout;
      },
      writeXml: async (x = h) => {
        writeFileSync(x.host.xmlPath, renderLibvirtXml(x.libvirt, x.host.name));
      },
      stopSshd: () => stopSshd(h),
      startSshd: () => this.startSshd(name),
    };
    await (impl as (c: FaultContext, o: unknown) => Promise<void>)(ctx, opts ?? {});
  }

  /**
   * Leaves the fleet running after this process exits (no teardown on exit/signals); remove it
   * later with down() from another SimFleet, the next up() with this prefix, or cleanup.js.
   */
  detach(): void {
    unregisterLiveFleet(this.prefix);
    const rec = readRecord(this.prefix);
    if (rec) writeRecord({ ...rec, detached: true });
  }

  /** Removes everything this fleet created; safe to call twice. Returns what was removed. */
  async down(): Promise<CleanupReport> {
    this.isDown = true;
    const report = cleanupPrefix(this.prefix);
    forgetSshd(
      this.prefix,
      [...this.states.values()].map((s) => s.host.netns),
    );
    unregisterLiveFleet(this.prefix);
    return report;
  }
}

/** What each host's /etc overlay holds (never ssh/, passwd or anything else sshd needs). */
const ETC_ENTRIES = ['hostname', 'machine-id', 'network', 'sysctl.d'] as const;

/** Writes one host's keys, sshd config, libvirt XML, bin dir and /etc/netns overlay. */
function writeHostFiles(s: HostState, hostPrivateKey: string, clientPublicKey: string, block: number): void {
  const { host } = s;
  mkdirSync(s.binDir, { recursive: true });
  writeFileSync(s.hostKeyPath, hostPrivateKey, { mode: 0o600 });
  chmodSync(s.hostKeyPath, 0o600);
  writeFileSync(`${s.hostKeyPath}.pub`, `${host.hostPublicKey}\n`);
  writeFileSync(s.authorizedKeysPath, `${clientPublicKey}\n`, { mode: 0o600 });
  writeFileSync(
    s.sshdConfigPath,
    renderSshdConfig({
      address: host.address,
      hostKeyPath: s.hostKeyPath,
      pidPath: s.pidPath,
      authorizedKeysPath: s.authorizedKeysPath,
      binDir: s.binDir,
      libvirtUri: host.libvirtUri,
    }),
  );
  writeFileSync(host.xmlPath, renderLibvirtXml(s.libvirt, host.name));
  // `ip netns exec` bind-mounts each entry over /etc/<entry>; only these, never ssh/ or passwd.
  mkdirSync(path.join(s.etcDir, 'network/interfaces.d'), { recursive: true });
  mkdirSync(path.join(s.etcDir, 'sysctl.d'), { recursive: true });
  const macs = nicMacs(block, host.index);
  writeFileSync(path.join(s.etcDir, 'network/interfaces'), renderInterfaces({ host, mgmtMac: macs.mgmt, vmMac: macs.vm }));
  writeFileSync(path.join(s.etcDir, 'sysctl.d/README.sysctl'), 'Per-host sysctl.d of a simulated hypervisor (fleet simulator).\n');
  writeFileSync(path.join(s.etcDir, 'hostname'), `${host.name}\n`);
  writeFileSync(path.join(s.etcDir, 'machine-id'), `${host.machineId}\n`);
  if (host.libvirtd) writeLibvirtdFiles(s);
  writeFileSync(s.fstabPath, renderHostFstab(s.etcDir, ETC_ENTRIES, host.libvirtd ? hostLibvirtFstab(s) : []));
}
