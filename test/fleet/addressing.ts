/**
 * Address, name and MAC plan of a simulated fleet (pure; no side effects).
 *
 * Everything lives in 198.18.0.0/15 (RFC 2544 benchmarking space), the only range fleet's tests may use:
 *
 *   198.18.0.0 – 198.19.191.255   28 "blocks" of /20 (4096 addresses). A fleet claims one block per
 *                                  4000 hosts, starting at its subnetIndex, so fleets never overlap.
 *   198.19.192.0/18                 reserved for addresses that exist only INSIDE a host namespace and
 *                                  are identical on every host (libvirt NAT network, fault addresses).
 *
 * A block holds 4 management "segments" of /22 (1024 addresses). Segment k of a fleet has its own
 * root-namespace bridge `<prefix>-m<k>` (a Linux bridge takes at most 1023 ports), the gateway .1 and
 * up to 1000 hosts at base+2 … base+1001; base+1002 … base+1022 are free for fault stations.
 */

export const SPACE_BASE = ip4ToInt('198.18.0.0');
export const BLOCK_SIZE = 4096;
export const BLOCK_COUNT = 28;
export const SEGMENT_SIZE = 1024;
export const SEGMENT_PREFIX_LENGTH = 22;
export const SEGMENTS_PER_BLOCK = BLOCK_SIZE / SEGMENT_SIZE;
export const HOSTS_PER_SEGMENT = 1000;
export const HOSTS_PER_BLOCK = HOSTS_PER_SEGMENT * SEGMENTS_PER_BLOCK;
/** Guest MACs carry the host index in 14 bits, so this is the hard ceiling per fleet. */
export const MAX_HOSTS = 16000;

/** In-host-only addresses (same on every host, never routed outside its namespace). */
export const IN_HOST = {
  /** libvirt `default` NAT network (vmNetworkMode 'nat'): virbr0 198.19.254.1/24. */
  natNetwork: '198.19.254.0',
  natGateway: '198.19.254.1',
  natPrefixLength: 24,
  /** Address a `bridge.ip-on-port` fault puts on the VM uplink. */
  portAddress: '198.19.253.2/24',
  /** Runtime-only address of the `config.drift` 'runtime' variant. */
  driftAddress: '198.19.252.2/24',
  /** Source prefix of the policy rule the `sysctl.rp-filter` fault adds. */
  policySource: '198.19.251.0/24',
} as const;

export function ip4ToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`not an IPv4 address: ${ip}`);
  }
  return (((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!) >>> 0;
}

export function intToIp4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** How many /20 blocks a fleet of `count` hosts needs. */
export function blocksNeeded(count: number): number {
  return Math.ceil(count / HOSTS_PER_BLOCK);
}

/** CIDR of block `index` (e.g. 198.18.16.0/20 for 1). */
export function blockCidr(index: number): string {
  return `${intToIp4(SPACE_BASE + index * BLOCK_SIZE)}/20`;
}

/** Where host number `n` (1-based) of a fleet starting at block `firstBlock` lives. */
export interface HostSlot {
  /** Fleet-wide management segment index (0-based). */
  segment: number;
  address: string;
  gateway: string;
  /** Network address of the /22 segment. */
  network: string;
}

export function segmentBase(firstBlock: number, segment: number): number {
  return SPACE_BASE + firstBlock * BLOCK_SIZE + segment * SEGMENT_SIZE;
}

export function hostSlot(firstBlock: number, n: number): HostSlot {
  const segment = Math.floor((n - 1) / HOSTS_PER_SEGMENT);
  const base = segmentBase(firstBlock, segment);
  return {
    segment,
    address: intToIp4(base + 2 + ((n - 1) % HOSTS_PER_SEGMENT)),
    gateway: intToIp4(base + 1),
    network: intToIp4(base),
  };
}

/** A free address on a segment for fault stations (slot 0…19), never a host's or the gateway's. */
export function stationAddress(firstBlock: number, segment: number, slot: number): string {
  if (slot < 0 || slot > 19) throw new Error(`station slot out of range: ${slot}`);
  return intToIp4(segmentBase(firstBlock, segment) + 2 + HOSTS_PER_SEGMENT + slot);
}

/** The last usable address of a segment: nothing ever answers there (unreachable gateway fault). */
export function deadAddress(firstBlock: number, segment: number): string {
  return intToIp4(segmentBase(firstBlock, segment) + SEGMENT_SIZE - 2);
}

/** Host inventory name: hv01 … hv99, hv001 … for bigger fleets (width follows the count). */
export function hostName(n: number, count: number): string {
  return `hv${String(n).padStart(Math.max(2, String(count).length), '0')}`;
}

const hex2 = (n: number) => (n & 255).toString(16).padStart(2, '0');

/**
 * Deterministic, locally administered MACs. `role` 0 = eth0/br0, 1 = eth1/br1, 2 = eth2.
 * Host side starts 02:18, the peer outside the host 02:19; block and host index keep them unique
 * across side-by-side fleets.
 */
export function hostMac(block: number, n: number, role: number, side: 'host' | 'peer' = 'host'): string {
  return ['02', side === 'host' ? '18' : '19', hex2(block), hex2(n >> 8), hex2(n), hex2(role)].join(':');
}

/** Guest MAC 52:54:00:… (libvirt's OUI) from block, host index and VM index; unique across fleets. */
export function guestMac(block: number, n: number, vm: number): string {
  const v = (block << 19) | (n << 2) | vm;
  return ['52', '54', '00', hex2(v >> 16), hex2(v >> 8), hex2(v)].join(':');
}

/** libvirt gives a tap the guest MAC with the first octet 0xFE (so a tap never wins the bridge MAC). */
export function tapMacFor(guest: string): string {
  return `fe${guest.slice(2)}`;
}
