/**
 * Fault names, their options, and what a fault implementation may do to a host. Names of KVM
 * networking faults are the check ids of kvm-network-checks.md §1 they make fail.
 */
import type { HostState } from '../model.js';

/** br1 = the VM bridge (inventory `bridge`, SSH unaffected); br0 = management bridge (may cut SSH). */
export type BridgeChoice = 'br0' | 'br1';

export interface FaultOptionsMap {
  'sshd-stopped': Record<string, never>;
  'hostkey-changed': Record<string, never>;
  'authkey-removed': Record<string, never>;
  /** One-way delay added in each direction and/or loss percentage per direction. Defaults 100 ms, 0 %. */
  netem: { delayMs?: number; lossPercent?: number };
  /** `command` (default virsh) blocks forever in SSH sessions (a wrapper first on sshd's session PATH). */
  hang: { command?: string };
  'bridge.exists': { bridge?: BridgeChoice; variant?: 'deleted' | 'xml-typo' };
  'bridge.up': { bridge?: BridgeChoice };
  'bridge.uplink-enslaved': { bridge?: BridgeChoice; variant?: 'nomaster' | 'renamed' | 'other-master' };
  'bridge.ip-on-port': { bridge?: BridgeChoice; variant?: 'address' | 'default-route' };
  'bridge.stp-forward-delay': { bridge?: BridgeChoice };
  'bridge.vlan-membership': { vlan?: number };
  'bridge.mtu': { variant?: 'port-low' | 'uplink-jumbo' };
  'bridge.mac-stability': { mac?: string };
  'bridge.port-state': { variant?: 'disabled' | 'blocking'; vm?: string };
  'nic.link': Record<string, never>;
  'netfilter.br-nf-iptables': { backend?: 'nft' | 'legacy' };
  'netfilter.nft-forward': { variant?: 'inet-forward' | 'bridge-family' };
  'netfilter.host-input': Record<string, never>;
  'sysctl.ip-forward': Record<string, never>;
  'sysctl.rp-filter': { variant?: 'policy-routing' | 'sysctl-only' };
  'arp.duplicate-ip': { address?: string };
  'route.default-gateway': { variant?: 'missing' | 'duplicate' | 'unreachable-gateway' };
  'libvirt.default-network': { variant?: 'bridge-missing' | 'undefined' };
  'libvirt.nat-rules': Record<string, never>;
  'libvirt.nwfilter': { vm?: string; ip?: string };
  'libvirt.iface-direct': { vm?: string };
  'libvirt.tap-attached': { vm?: string; variant?: 'nomaster' | 'missing' | 'wrong-bridge' };
  'libvirt.link-state': { vm?: string };
  'mac.duplicate-host': { variant?: 'same-mac' | 'fe-prefix' | 'host-nic' };
  'fleet.duplicate-mac': { from?: string; variant?: 'guest-mac' | 'bridge-mac' | 'machine-id' };
  'config.drift': { variant?: 'file' | 'runtime' };
  'config.sysctl-persistence': Record<string, never>;
}

export type FaultName = keyof FaultOptionsMap;

/** What a fault implementation gets: the target host and the means to change it for real. */
export interface FaultContext {
  prefix: string;
  block: number;
  natMode: boolean;
  h: HostState;
  /** Every host of the fleet (fleet-level faults copy values between hosts). */
  all: readonly HostState[];
  /** `ip -batch` inside the host namespace. */
  ip(lines: string[]): Promise<void>;
  /** `ip -batch` inside another namespace (fabric, a station) or the root namespace (undefined). */
  ipIn(netns: string | undefined, lines: string[]): Promise<void>;
  /** Shell script inside the host namespace; throws unless it exits 0; returns stdout. */
  sh(script: string): Promise<string>;
  /** Re-renders the libvirt XML of a host from its model. */
  writeXml(h?: HostState): Promise<void>;
  stopSshd(): Promise<void>;
  startSshd(): Promise<void>;
}

export type FaultImpl<F extends FaultName> = (ctx: FaultContext, opts: FaultOptionsMap[F]) => Promise<void>;
export type FaultTable = { [F in FaultName]: FaultImpl<F> };
