/**
 * Builds Link[] from `ip -j -d link` merged with sysfs. sysfs fills what ip may lack (old iproute2
 * without JSON, kernels that omit attributes) and gives two things ip does not: whether a device is
 * a real NIC, and whether the kernel supports bridge VLAN filtering (the sysfs file exists).
 */
import { num, obj, str, strings, type JsonObject } from './json.js';
import { dropUndefined } from './parse-ip.js';
import type { BridgeInfo, Gathered, Link, PortState } from './types.js';

/** What sysfs said about one interface. */
export interface SysfsIface {
  readonly attrs: Record<string, string>;
  readonly bridge: Record<string, string>;
  readonly brport: Record<string, string>;
  physical: boolean;
  readonly brif: string[];
}

const SYSFS_LINE = /^\/sys\/class\/net\/([^/]+)\/(?:(bridge|brport|brif)\/)?([^/:]+):(.*)$/;

/** Parses the `sysfs` section: `path:value` lines from grep -H plus our `:physical`/`:port` lines. */
export function parseSysfs(text: string): Record<string, SysfsIface> {
  const out: Record<string, SysfsIface> = {};
  for (const line of text.split('\n')) {
    const m = SYSFS_LINE.exec(line);
    if (!m) continue;
    const [, ifname = '', sub, key = '', value = ''] = m;
    const e = (out[ifname] ??= { attrs: {}, bridge: {}, brport: {}, physical: false, brif: [] });
    if (sub === 'bridge') e.bridge[key] = value;
    else if (sub === 'brport') e.brport[key] = value;
    else if (sub === 'brif') e.brif.push(key);
    else if (key === 'device' && value === 'physical') e.physical = true;
    else e.attrs[key] = value;
  }
  return out;
}

const PORT_STATES: readonly PortState[] = ['disabled', 'listening', 'learning', 'forwarding', 'blocking'];

function portState(v: string | number | undefined): PortState | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number' || /^\d+$/.test(v)) return PORT_STATES[Number(v)] ?? 'unknown';
  return (PORT_STATES as readonly string[]).includes(v) ? (v as PortState) : 'unknown';
}

function numOf(s: string | undefined): number | undefined {
  return s !== undefined && /^-?\d+$/.test(s.trim()) ? Number(s.trim()) : undefined;
}

function bridgeInfo(data: JsonObject | undefined, sys: SysfsIface | undefined, sysfsOk: boolean): BridgeInfo | undefined {
  const sb = sys?.bridge ?? {};
  const hasSysBridge = Object.keys(sb).length > 0;
  if (!data && !hasSysBridge) return undefined;
  // VLAN filtering support: the sysfs file exists only with CONFIG_BRIDGE_VLAN_FILTERING; without
  // sysfs, the kernel reports vlan_default_pvid over netlink only when it has the feature.
  let vlanFiltering: number | null;
  if (sysfsOk && hasSysBridge) vlanFiltering = numOf(sb['vlan_filtering']) ?? null;
  else vlanFiltering = num(data, 'vlan_default_pvid') !== undefined ? (num(data, 'vlan_filtering') ?? null) : null;
  return dropUndefined({
    stpState: num(data, 'stp_state') ?? numOf(sb['stp_state']) ?? 0,
    forwardDelayCs: num(data, 'forward_delay') ?? numOf(sb['forward_delay']) ?? 0,
    vlanFiltering,
    defaultPvid: num(data, 'vlan_default_pvid') ?? numOf(sb['default_pvid']),
    nfCallIptables: num(data, 'nf_call_iptables') ?? numOf(sb['nf_call_iptables']),
    nfCallIp6tables: num(data, 'nf_call_ip6tables') ?? numOf(sb['nf_call_ip6tables']),
  });
}

function fromIp(l: JsonObject, sys: SysfsIface | undefined, sysfsOk: boolean): Link | undefined {
  const ifname = str(l, 'ifname');
  if (!ifname) return undefined;
  const info = obj(l, 'linkinfo');
  const kind = str(info, 'info_kind');
  const flags = strings(l, 'flags');
  const state = portState(str(obj(info, 'info_slave_data'), 'state') ?? sys?.brport['state']);
  const carrier = sys?.attrs['carrier'];
  return dropUndefined({
    ifname,
    ifindex: num(l, 'ifindex') ?? -1,
    flags,
    up: flags.includes('UP'),
    mtu: num(l, 'mtu') ?? 0,
    operstate: (str(l, 'operstate') ?? 'UNKNOWN').toUpperCase(),
    address: str(l, 'address')?.toLowerCase(),
    permaddr: str(l, 'permaddr')?.toLowerCase(),
    kind,
    tunType: kind === 'tun' ? str(obj(info, 'info_data'), 'type') : undefined,
    master: str(l, 'master'),
    slaveKind: str(info, 'info_slave_kind'),
    altnames: strings(l, 'altnames').length > 0 ? strings(l, 'altnames') : undefined,
    physical: sysfsOk ? (sys?.physical ?? false) : undefined,
    carrier: carrier === '1' ? true : carrier === '0' ? false : undefined,
    bridge: kind === 'bridge' || (sys && Object.keys(sys.bridge).length > 0) ? bridgeInfo(obj(info, 'info_data'), sys, sysfsOk) : undefined,
    port: state ? { state } : undefined,
  });
}

// IFF_* bits of /sys/class/net/X/flags (include/uapi/linux/if.h) for the sysfs-only fallback.
const IFF: ReadonlyArray<[number, string]> = [
  [0x1, 'UP'],
  [0x2, 'BROADCAST'],
  [0x8, 'LOOPBACK'],
  [0x1000, 'MULTICAST'],
];

function fromSysfs(ifname: string, s: SysfsIface, masters: Map<string, string>): Link {
  const bits = Number.parseInt(s.attrs['flags'] ?? '0', 16) || 0;
  const flags = IFF.filter(([b]) => (bits & b) !== 0).map(([, n]) => n);
  if (s.attrs['carrier'] === '1') flags.push('LOWER_UP');
  const state = portState(s.brport['state']);
  const isBridge = Object.keys(s.bridge).length > 0;
  return dropUndefined({
    ifname,
    ifindex: numOf(s.attrs['ifindex']) ?? -1,
    flags,
    up: (bits & 0x1) !== 0,
    mtu: numOf(s.attrs['mtu']) ?? 0,
    operstate: (s.attrs['operstate'] ?? 'unknown').toUpperCase(),
    address: s.attrs['address']?.toLowerCase(),
    kind: isBridge ? 'bridge' : undefined,
    master: masters.get(ifname),
    slaveKind: masters.has(ifname) ? 'bridge' : undefined,
    physical: s.physical,
    carrier: s.attrs['carrier'] === '1' ? true : s.attrs['carrier'] === '0' ? false : undefined,
    bridge: isBridge ? bridgeInfo(undefined, s, true) : undefined,
    port: state ? { state } : undefined,
  });
}

/** Merges the two sources; only when both failed is the result a failure (the ip one's reason). */
export function buildLinks(ip: Gathered<JsonObject[]>, sysfs: Gathered<Record<string, SysfsIface>>): Gathered<Link[]> {
  const sys = sysfs.ok ? sysfs.value : {};
  if (ip.ok) {
    return { ok: true, value: ip.value.flatMap((l) => fromIp(l, sys[str(l, 'ifname') ?? ''], sysfs.ok) ?? []) };
  }
  if (sysfs.ok && Object.keys(sysfs.value).length > 0) {
    const masters = new Map<string, string>();
    for (const [br, s] of Object.entries(sysfs.value)) for (const p of s.brif) masters.set(p, br);
    return {
      ok: true,
      value: Object.entries(sysfs.value)
        .map(([n, s]) => fromSysfs(n, s, masters))
        .sort((a, b) => a.ifindex - b.ifindex),
    };
  }
  return ip;
}
