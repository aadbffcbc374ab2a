/**
 * The fleet's wiring as `ip -batch` lines (no side effects here):
 *
 *   root namespace      <prefix>-m<k>  management bridge of segment k, gateway address .1/22
 *                       <prefix>-h<n>  root end of host n's management veth (port of <prefix>-m<k>)
 *   <prefix>-hvNN       eth0 (veth) ─ port of br0; br0 holds the host address and the default route
 *                       eth1 (veth) ─ port of br1, the VM bridge; tap-<vm> veths are br1 ports too
 *                       [nat mode] virbr0 198.19.254.1/24, the first VM's tap is its port
 *   <prefix>-fabric     lan-<group>-<k> bridges joining the eth1 peers (u<n>) of up to 100 hosts: VM LANs;
 *                       g<n>v<j>: the guest end of each tap, carrying the guest MAC (kept up so the
 *                       tap has carrier, otherwise the bridge port would be "disabled")
 *
 * IPv6 address generation is off on every simulated link (addrgenmode none): no link-local chatter
 * across hundreds of namespaces. STP off and forward_delay 0 everywhere: the clean state.
 */
import { hostMac, tapMacFor } from './addressing.js';
import { HOST_LAYOUT, type HostState } from './model.js';

export const names = {
  mgmtBridge: (prefix: string, segment: number) => `${prefix}-m${segment}`,
  rootVeth: (prefix: string, n: number) => `${prefix}-h${n}`,
  fabric: (prefix: string) => `${prefix}-fabric`,
  /** The VM LAN of a host: its group, in buckets of LAN_HOSTS consecutive hosts. */
  lanBridge: (host: { group: string; index: number }) => `lan-${host.group}-${Math.floor((host.index - 1) / LAN_HOSTS)}`,
  lanPeer: (n: number) => `u${n}`,
  extraPeer: (n: number) => `x${n}`,
  station: (prefix: string, n: number) => `${prefix}-dup${n}`,
};

const BRIDGE_CLEAN = 'type bridge stp_state 0 forward_delay 0';

/**
 * Hosts per VM LAN bridge. Each port added to a Linux bridge gets slower the more ports it has
 * (1000-port LANs made the fabric setup quadratic: ~16 s at 1000 hosts), and a real L2 domain of a
 * hundred hypervisors is plenty for duplicate-MAC scenarios.
 */
export const LAN_HOSTS = 100;

/** Root namespace: all namespaces, management bridges (with gateway addresses) and host veths. */
export function rootBatch(prefix: string, block: number, hosts: readonly HostState[]): string[] {
  const lines = [`netns add ${names.fabric(prefix)}`];
  const segments = new Map<number, string>();
  for (const { host } of hosts) segments.set(host.segment, host.gateway);
  for (const [seg, gw] of segments) {
    const br = names.mgmtBridge(prefix, seg);
    lines.push(
      `link add ${br} address ${hostMac(block, 0, 0x80 + seg, 'peer')} ${BRIDGE_CLEAN}`,
      `link set dev ${br} addrgenmode none`,
      `address add ${gw}/22 dev ${br}`,
      `link set dev ${br} up`,
    );
  }
  for (const { host } of hosts) {
    const rv = names.rootVeth(prefix, host.index);
    lines.push(
      `netns add ${host.netns}`,
      `link add ${rv} address ${hostMac(block, host.index, 0, 'peer')} type veth peer name ${HOST_LAYOUT.mgmtUplink} address ${hostMac(block, host.index, 0)} netns ${host.netns}`,
      `link set dev ${rv} addrgenmode none master ${names.mgmtBridge(prefix, host.segment)} up`,
    );
  }
  return lines;
}

/** Inside one host: bridges, addresses, default route, VM uplink and taps (peers go to the fabric). */
export function hostBatch(prefix: string, block: number, h: HostState, natMode: boolean): string[] {
  const { host } = h;
  const { mgmtBridge, mgmtUplink, vmBridge, vmUplink, natBridge } = HOST_LAYOUT;
  const fabric = names.fabric(prefix);
  const m0 = hostMac(block, host.index, 0);
  const m1 = hostMac(block, host.index, 1);
  const lines = [
    'link set dev lo up',
    `link add ${mgmtBridge} address ${m0} ${BRIDGE_CLEAN}`,
    `link set dev ${mgmtBridge} addrgenmode none`,
    `link set dev ${mgmtUplink} addrgenmode none master ${mgmtBridge} up`,
    `link set dev ${mgmtBridge} up`,
    `address add ${host.address}/${host.prefixLength} dev ${mgmtBridge}`,
    `route add default via ${host.gateway} dev ${mgmtBridge}`,
    `link add ${vmBridge} address ${m1} ${BRIDGE_CLEAN}`,
    `link set dev ${vmBridge} addrgenmode none`,
    `link add ${vmUplink} address ${m1} type veth peer name ${names.lanPeer(host.index)} address ${hostMac(block, host.index, 1, 'peer')} netns ${fabric}`,
    `link set dev ${vmUplink} addrgenmode none master ${vmBridge} up`,
    `link set dev ${vmBridge} up`,
  ];
  if (natMode) {
    lines.push(
      `link add ${natBridge} address ${hostMac(block, host.index, 3)} ${BRIDGE_CLEAN}`,
      `link set dev ${natBridge} addrgenmode none up`,
      `address add ${h.libvirt.networks[0]?.address ?? ''}/${h.libvirt.networks[0]?.prefixLength ?? 24} dev ${natBridge}`,
    );
  }
  // A real libvirtd creates real taps when a test boots its guests.
  if (!host.libvirtd) for (const vm of host.vms) lines.push(...tapLines(vm, fabric));
  return lines;
}

/** A tap stand-in: veth `tap-<vm>` (fe:… MAC) on its bridge, guest end with the guest MAC in the fabric. */
export function tapLines(vm: { tap: string; mac: string; guestIf: string; bridge: string }, fabric: string): string[] {
  return [
    `link add ${vm.tap} address ${tapMacFor(vm.mac)} type veth peer name ${vm.guestIf} address ${vm.mac} netns ${fabric}`,
    `link set dev ${vm.tap} addrgenmode none master ${vm.bridge} up`,
  ];
}

/** Fabric namespace: one VM LAN bridge per (group, segment); hosts' eth1 peers and guest ends up. */
export function fabricBatch(hosts: readonly HostState[]): string[] {
  const lines = ['link set dev lo up'];
  const lans = new Set<string>();
  for (const { host } of hosts) lans.add(names.lanBridge(host));
  for (const lan of lans) lines.push(`link add ${lan} ${BRIDGE_CLEAN}`, `link set dev ${lan} addrgenmode none up`);
  for (const { host } of hosts) {
    lines.push(`link set dev ${names.lanPeer(host.index)} addrgenmode none master ${names.lanBridge(host)} up`);
    if (!host.libvirtd) for (const vm of host.vms) lines.push(`link set dev ${vm.guestIf} addrgenmode none up`);
  }
  return lines;
}
