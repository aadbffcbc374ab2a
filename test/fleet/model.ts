/**
 * What a simulated hypervisor is made of: the public SimHost/SimVm shapes and the mutable libvirt
 * model the faults edit (the XML file is always re-rendered from it).
 */
import path from 'node:path';
import { createHash } from 'node:crypto';
import { guestMac, hostMac, hostName, hostSlot, IN_HOST, SEGMENT_PREFIX_LENGTH } from './addressing.js';

export type VmNetworkMode = 'bridge' | 'nat';

/** Names every host shares (what a real, uniformly built hypervisor has). */
export const HOST_LAYOUT = {
  /** Management bridge: holds the host's address; its port eth0 leads to the controller. */
  mgmtBridge: 'br0',
  mgmtUplink: 'eth0',
  /** VM bridge (inventory `bridge`): guests' taps; its port eth1 leads to the shared VM LAN. */
  vmBridge: 'br1',
  vmUplink: 'eth1',
  /** libvirt NAT network bridge (vmNetworkMode 'nat' only). */
  natBridge: 'virbr0',
} as const;

export interface SimVm {
  /** Domain name, e.g. web03. */
  readonly name: string;
  /** Guest MAC (52:54:00:…) as in the domain XML. */
  readonly mac: string;
  /** Host-side tap stand-in (a veth named like libvirt's target dev). */
  readonly tap: string;
  /** The guest end of the tap's veth, in the fleet's fabric namespace (carries the guest MAC). */
  readonly guestIf: string;
  /** Bridge the tap is a port of (br1, or virbr0 for a NAT-network interface). */
  readonly bridge: string;
  /** libvirt network name when the interface is `type='network'`. */
  readonly network: string | undefined;
}

export interface SimHost {
  /** Inventory name: hv01 … */
  readonly name: string;
  /** 1-based position in the fleet. */
  readonly index: number;
  readonly netns: string;
  /** Management address (on br0), reachable from the root namespace. */
  readonly address: string;
  readonly prefixLength: number;
  readonly gateway: string;
  readonly port: 22;
  /** Management segment (root bridge `<prefix>-m<segment>`). */
  readonly segment: number;
  /** Inventory group: dc1 (first half) or dc2. Each group has its own VM LAN. */
  readonly group: string;
  /** `test:///abs/…/libvirt.xml`, or `qemu:///system` on a host with a real libvirtd. */
  readonly libvirtUri: string;
  /**
   * A real libvirtd manages this host's guests (SimFleetOptions.libvirtd): `vms` are then only
   * planned names, MACs and taps for guests a test boots (guests/libvirt-guest.ts); no veth
   * stand-ins exist and the test-driver XML is not what virsh reads.
   */
  readonly libvirtd: boolean;
  readonly xmlPath: string;
  /** Per-host work directory (keys, sshd config, logs, libvirt XML). */
  readonly dir: string;
  /** The host key known_hosts lists (a `hostkey-changed` fault does not update this). */
  readonly hostPublicKey: string;
  readonly machineId: string;
  readonly vms: readonly SimVm[];
}

/** One interface of a domain in the libvirt model. */
export interface IfaceModel {
  type: 'bridge' | 'network' | 'direct';
  mac: string;
  /** bridge name, network name or direct source device. */
  source: string;
  target: string | undefined;
  linkDown: boolean;
  /** `<filterref filter='clean-traffic'>` with this IP parameter. */
  filterIp: string | undefined;
  /** `<vlan><tag id=…/></vlan>` */
  vlan: number | undefined;
}

export interface DomainModel {
  name: string;
  uuid: string;
  ifaces: IfaceModel[];
}

export interface NetworkModel {
  name: string;
  uuid: string;
  bridge: string;
  forward: 'nat';
  address: string;
  prefixLength: number;
}

export interface LibvirtModel {
  domains: DomainModel[];
  networks: NetworkModel[];
}

/** Host state the fleet keeps: the public view plus what faults change. */
export interface HostState {
  host: SimHost;
  libvirt: LibvirtModel;
  /** Private key file sshd serves (rewritten by hostkey-changed). */
  hostKeyPath: string;
  authorizedKeysPath: string;
  sshdConfigPath: string;
  pidPath: string;
  logPath: string;
  /** Directory first on the SSH sessions' PATH (the `hang` fault puts wrappers there). */
  binDir: string;
  /** /etc/netns/<netns>: bind-mounted over /etc by `ip netns exec` (and for sshd via fstabPath). */
  etcDir: string;
  /** Mounts of the sshd's mount namespace (sysfs + the /etc/netns entries). */
  fstabPath: string;
  /** Fault stations and extra objects created for this host (names, for teardown and snapshots). */
  stations: string[];
}

const ROLES = ['web', 'db', 'app'] as const;

function uuidFrom(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export interface PlanInput {
  prefix: string;
  count: number;
  block: number;
  dir: string;
  vmNetworkMode: VmNetworkMode;
  /** VMs per host; default cycles 1, 2, 3. */
  vmsPerHost: number | undefined;
  /** Names of the hosts whose guests a real libvirtd manages. */
  libvirtd?: ReadonlySet<string>;
  hostPublicKeys: readonly string[];
}

/** Builds every host's static description and its clean libvirt model. */
export function planHosts(input: PlanInput): HostState[] {
  const out: HostState[] = [];
  const half = Math.ceil(input.count / 2);
  for (let n = 1; n <= input.count; n++) {
    const name = hostName(n, input.count);
    const slot = hostSlot(input.block, n);
    const dir = path.join(input.dir, name);
    const xmlPath = path.join(dir, 'libvirt.xml');
    const vmCount = input.vmsPerHost ?? 1 + ((n - 1) % 3);
    const vms: SimVm[] = [];
    const domains: DomainModel[] = [];
    for (let j = 0; j < vmCount; j++) {
      const vmName = `${ROLES[j % ROLES.length]}${String(n).padStart(2, '0')}`;
      const mac = guestMac(input.block, n, j);
      const onNat = input.vmNetworkMode === 'nat' && j === 0;
      const vm: SimVm = {
        name: vmName,
        mac,
        tap: `tap-${vmName}`,
        guestIf: `g${n}v${j}`,
        bridge: onNat ? HOST_LAYOUT.natBridge : HOST_LAYOUT.vmBridge,
        network: onNat ? 'default' : undefined,
      };
      vms.push(vm);
      domains.push({
        name: vmName,
        uuid: uuidFrom(`${input.prefix}/${name}/${vmName}`),
        ifaces: [
          {
            type: onNat ? 'network' : 'bridge',
            mac,
            source: onNat ? 'default' : HOST_LAYOUT.vmBridge,
            target: vm.tap,
            linkDown: false,
            filterIp: undefined,
            vlan: undefined,
          },
        ],
      });
    }
    const networks: NetworkModel[] =
      input.vmNetworkMode === 'nat'
        ? [
            {
              name: 'default',
              uuid: uuidFrom(`${input.prefix}/${name}/net/default`),
              bridge: HOST_LAYOUT.natBridge,
              forward: 'nat',
              address: IN_HOST.natGateway,
              prefixLength: IN_HOST.natPrefixLength,
            },
          ]
        : [];
    const netns = `${input.prefix}-${name}`;
    const host: SimHost = {
      name,
      index: n,
      netns,
      address: slot.address,
      prefixLength: SEGMENT_PREFIX_LENGTH,
      gateway: slot.gateway,
      port: 22,
      segment: slot.segment,
      group: n <= half ? 'dc1' : 'dc2',
      libvirtUri: input.libvirtd?.has(name) ? 'qemu:///system' : `test://${xmlPath}`,
      libvirtd: input.libvirtd?.has(name) ?? false,
      xmlPath,
      dir,
      hostPublicKey: input.hostPublicKeys[n - 1] ?? '',
      machineId: createHash('md5').update(`${input.prefix}/${input.block}/${name}`).digest('hex'),
      vms,
    };
    out.push({
      host,
      libvirt: { domains, networks },
      hostKeyPath: path.join(dir, 'ssh_host_ed25519_key'),
      authorizedKeysPath: path.join(dir, 'authorized_keys'),
      sshdConfigPath: path.join(dir, 'sshd_config'),
      pidPath: path.join(dir, 'sshd.pid'),
      logPath: path.join(dir, 'sshd.log'),
      binDir: path.join(dir, 'bin'),
      etcDir: path.join('/etc/netns', netns),
      fstabPath: path.join(dir, 'fstab'),
      stations: [],
    });
  }
  return out;
}

/** MACs of a host's own NICs (what `ip link` shows for eth0/br0 and eth1/br1). */
export function nicMacs(block: number, n: number): { mgmt: string; vm: string; extra: string } {
  return { mgmt: hostMac(block, n, 0), vm: hostMac(block, n, 1), extra: hostMac(block, n, 2) };
}
