/**
 * validateBridgeParams: host variables → BridgeParams, or one clear error naming host and variable.
 * Every string that reaches a template is matched against a strict pattern or parsed as an
 * address here, so nothing a user writes can add a line, a section or a shell word to the output.
 */
import type { InputError } from '../core/errors.js';
import { toBool, toInt, toStr, toStringList } from './coerce.js';
import { paramError } from './errors.js';
import { hostAddressProblem, inSubnet, ipFamily, isLinkLocal6, parseCidr, type Cidr } from './ip.js';
import { interfaceNameProblem, isDomainName, libvirtNetworkNameProblem, normalizeMac } from './names.js';
import type { BridgeParams, Ipv6Params } from './types.js';
import { parseVids } from './vids.js';

/** The host variables validateBridgeParams reads. */
export const BRIDGE_VARS = [
  'bridge',
  'uplink',
  'uplink_mac',
  'bridge_mac',
  'address',
  'dhcp',
  'gateway',
  'dns',
  'search',
  'mtu',
  'stp',
  'forward_delay',
  'vlan_aware',
  'vids',
  'ipv6',
  'ipv6_gateway',
  'netplan_renderer',
  'libvirt_network',
] as const;

/** MTU bounds: below 576 IPv4 hosts misbehave, 9216 is the largest jumbo frame switches commonly accept. */
export const MTU_MIN = 576;
export const MTU_MAX = 9216;
/** The kernel disables IPv6 on links with an MTU below 1280. */
export const MTU_MIN_IPV6 = 1280;
/** Kernel range for forward_delay while STP runs (br_set_forward_delay → ERANGE otherwise). */
export const FD_STP_MIN = 2;
export const FD_MAX = 30;

const IPV6_KEYS = new Set(['mode', 'address', 'gateway']);

type Vars = Record<string, unknown>;

/** Control characters anywhere in a value (checked first, so an injection attempt gets a plain answer). */
function hasControlChars(v: unknown): boolean {
  if (typeof v === 'string') return /[\u0000-\u001f\u007f\u0085\u2028\u2029]/.test(v);
  if (Array.isArray(v)) return v.some(hasControlChars);
  if (v && typeof v === 'object') return Object.entries(v).some(([k, x]) => hasControlChars(k) || hasControlChars(x));
  return false;
}

/** Validates a bridge's host variables; throws InputError ("host H: bridge var 'V' …") on the first problem. */
export function validateBridgeParams(vars: Vars, host: string): BridgeParams {
  const err = (name: string, problem: string, value?: unknown): InputError => paramError(host, name, problem, value);
  const has = (name: string) => vars[name] !== undefined && vars[name] !== null && vars[name] !== '';

  for (const name of BRIDGE_VARS) {
    if (hasControlChars(vars[name])) throw err(name, 'must not contain line breaks or control characters', vars[name]);
  }

  const str = (name: string): string | null => {
    if (!has(name)) return null;
    const s = toStr(vars[name]);
    if (typeof s !== 'string') throw err(name, s.problem, vars[name]);
    return s.trim();
  };
  const bool = (name: string, dflt: boolean): boolean => {
    if (!has(name)) return dflt;
    const b = toBool(vars[name]);
    if (typeof b === 'string') throw err(name, b, vars[name]);
    return b;
  };
  const int = (name: string): number | null => {
    if (!has(name)) return null;
    const n = toInt(vars[name]);
    if (typeof n === 'string') throw err(name, n, vars[name]);
    return n;
  };
  const ifname = (name: 'bridge' | 'uplink'): string => {
    const s = str(name);
    if (s === null) throw err(name, 'is required');
    const problem = interfaceNameProblem(s, name);
    if (problem) throw err(name, problem, s);
    return s;
  };
  const mac = (name: string): string | null => {
    const s = str(name);
    if (s === null) return null;
    const m = normalizeMac(s);
    if (!m) throw err(name, 'must be a unicast MAC address like 52:54:00:12:34:56', s);
    return m;
  };

  const bridge = ifname('bridge');
  const uplink = ifname('uplink');
  if (bridge === uplink) throw err('uplink', 'must differ from the bridge name: the NIC becomes a port of the bridge', uplink);
  const uplink_mac = mac('uplink_mac');
  const bridge_mac = mac('bridge_mac') ?? uplink_mac;

  // IPv4
  const dhcp = bool('dhcp', false);
  const addressText = str('address');
  let cidr: Cidr | null = null;
  if (addressText !== null) {
    if (dhcp) throw err('address', 'cannot be combined with dhcp: true', addressText);
    const c = parseCidr(addressText);
    if (typeof c === 'string') throw err('address', c, addressText);
    if (c.family !== 4) throw err('address', 'must be an IPv4 CIDR (put IPv6 under ipv6)', addressText);
    const p = hostAddressProblem(c);
    if (p) throw err('address', p, addressText);
    cidr = c;
  }
  const gateway = str('gateway');
  if (gateway !== null) {
    if (!cidr) throw err('gateway', dhcp ? 'must not be set with dhcp (the DHCP server provides it)' : 'needs a static address', gateway);
    if (ipFamily(gateway) !== 4) throw err('gateway', 'must be an IPv4 address', gateway);
    if (!inSubnet(cidr, gateway)) throw err('gateway', `is outside the subnet of address ${cidr.text}`, gateway);
    if (gateway === cidr.address) throw err('gateway', "must not be the bridge's own address", gateway);
  }

  const ipv6 = parseIpv6(vars, err);

  const dns = list('dns', vars, err);
  for (const d of dns) if (!ipFamily(d)) throw err('dns', 'must list IP addresses of DNS servers', d);
  const search = list('search', vars, err);
  for (const d of search) if (!isDomainName(d)) throw err('search', 'must list domain names like example.org', d);
  const l3 = cidr !== null || dhcp || ipv6 !== null;
  if (!l3 && (dns.length > 0 || search.length > 0)) {
    throw err(dns.length > 0 ? 'dns' : 'search', 'needs an address, dhcp or ipv6 on the bridge (an L2-only bridge has no resolver)');
  }

  const mtu = int('mtu');
  if (mtu !== null) {
    const min = ipv6 ? MTU_MIN_IPV6 : MTU_MIN;
    if (mtu < min || mtu > MTU_MAX) {
      throw err('mtu', `must be between ${min} and ${MTU_MAX}${ipv6 ? ' (IPv6 needs at least 1280)' : ''}`, mtu);
    }
  }

  const stp = bool('stp', false);
  const fd = int('forward_delay');
  let forward_delay: number;
  if (stp) {
    if (fd === null)
      throw err('forward_delay', `must be set (${FD_STP_MIN}-${FD_MAX} s) when stp is on; the default 0 is only valid with stp off`);
    if (fd < FD_STP_MIN || fd > FD_MAX) {
      throw err('forward_delay', `must be ${FD_STP_MIN}-${FD_MAX} s with stp on (the kernel refuses other values)`, fd);
    }
    forward_delay = fd;
  } else {
    forward_delay = fd ?? 0;
    if (forward_delay > FD_MAX) throw err('forward_delay', `must be 0-${FD_MAX} s`, fd);
  }

  const vlan_aware = bool('vlan_aware', false);
  let vids: string[] = [];
  if (has('vids')) {
    if (!vlan_aware) throw err('vids', 'needs vlan_aware: true', vars.vids);
    const v = parseVids(vars.vids);
    if (typeof v === 'string') throw err('vids', v, vars.vids);
    vids = v;
  } else if (vlan_aware) {
    vids = ['2-4094']; // Proxmox's default for a VLAN-aware bridge
  }

  const rendererText = str('netplan_renderer') ?? 'networkd';
  const netplan_renderer =
    rendererText.toLowerCase() === 'networkd' ? 'networkd' : rendererText.toLowerCase() === 'networkmanager' ? 'NetworkManager' : null;
  if (!netplan_renderer) throw err('netplan_renderer', 'must be networkd or NetworkManager', rendererText);

  const libvirt_network = str('libvirt_network') ?? 'host-bridge';
  const lnp = libvirtNetworkNameProblem(libvirt_network);
  if (lnp) throw err('libvirt_network', lnp, libvirt_network);

  return {
    host,
    bridge,
    uplink,
    uplink_mac,
    bridge_mac,
    address: cidr ? cidr.text : null,
    dhcp,
    gateway,
    dns,
    search,
    mtu,
    stp,
    forward_delay,
    vlan_aware,
    vids,
    ipv6,
    netplan_renderer,
    libvirt_network,
  };
}

function list(name: string, vars: Vars, err: (n: string, p: string, v?: unknown) => InputError): string[] {
  const v = vars[name];
  if (v === undefined || v === null || v === '') return [];
  const l = toStringList(v);
  if (typeof l === 'string') throw err(name, l, v);
  return l.map((x) => (ipFamily(x) === 6 ? x.toLowerCase() : x));
}

/** `ipv6: auto | dhcp | <cidr>` (+ `ipv6_gateway`) or `ipv6: {mode?, address?, gateway?}`. */
function parseIpv6(vars: Vars, err: (n: string, p: string, v?: unknown) => InputError): Ipv6Params | null {
  const raw = vars.ipv6;
  const gwVar = vars.ipv6_gateway;
  if (raw === undefined || raw === null || raw === '' || raw === false) {
    if (gwVar !== undefined && gwVar !== null && gwVar !== '') throw err('ipv6_gateway', 'needs a static ipv6 address', gwVar);
    return null;
  }
  let mode: unknown;
  let address: unknown;
  let gateway: unknown = gwVar;
  if (typeof raw === 'string') {
    if (raw === 'auto' || raw === 'dhcp') mode = raw;
    else [mode, address] = ['static', raw];
  } else if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    const o = raw as Record<string, unknown>;
    const unknownKey = Object.keys(o).find((k) => !IPV6_KEYS.has(k));
    if (unknownKey) throw err('ipv6', `has unknown key '${unknownKey}' (allowed: mode, address, gateway)`);
    if (gwVar !== undefined && o.gateway !== undefined) throw err('ipv6_gateway', 'duplicates ipv6.gateway');
    address = o.address;
    gateway = o.gateway ?? gwVar;
    mode = o.mode ?? (address !== undefined ? 'static' : undefined);
  } else {
    throw err('ipv6', 'must be auto, dhcp, an IPv6 CIDR, or a mapping {address, gateway}', raw);
  }
  if (mode !== 'static' && mode !== 'auto' && mode !== 'dhcp') throw err('ipv6', 'mode must be static, auto or dhcp', mode);
  const hasGw = gateway !== undefined && gateway !== null && gateway !== '';
  if (mode !== 'static') {
    if (address !== undefined) throw err('ipv6', `address cannot be combined with mode ${mode}`, address);
    if (hasGw) throw err('ipv6_gateway', `must not be set with ipv6 ${mode} (router advertisements provide it)`, gateway);
    return { mode, address: null, gateway: null };
  }
  if (typeof address !== 'string') throw err('ipv6', 'static mode needs an address like 2001:db8::10/64', address);
  const c = parseCidr(address.trim());
  if (typeof c === 'string') throw err('ipv6', `address ${c}`, address);
  if (c.family !== 6) throw err('ipv6', 'address must be an IPv6 CIDR (put IPv4 in address)', address);
  let gw: string | null = null;
  if (hasGw) {
    if (typeof gateway !== 'string' || ipFamily(gateway.trim()) !== 6) throw err('ipv6_gateway', 'must be an IPv6 address', gateway);
    gw = gateway.trim().toLowerCase();
    if (!inSubnet(c, gw) && !isLinkLocal6(gw)) throw err('ipv6_gateway', `is neither inside ${c.text} nor link-local (fe80::/10)`, gw);
    if (gw === c.address) throw err('ipv6_gateway', "must not be the bridge's own address", gw);
  }
  return { mode: 'static', address: c.text, gateway: gw };
}
