/** IP address and CIDR parsing for bridge parameters (IPv4 and IPv6), strict: no zone ids, no leading zeros. */
import { BlockList, isIPv4, isIPv6 } from 'node:net';

export type Family = 4 | 6;

export interface Cidr {
  /** The address as written (IPv6 lower-cased), e.g. "192.0.2.10". */
  address: string;
  prefix: number;
  family: Family;
  /** "address/prefix". */
  text: string;
}

const V4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const V6_CHARS_RE = /^[0-9a-f:.]+$/;

/** The family of a plain IP address, or null when `s` is not one. */
export function ipFamily(s: string): Family | null {
  if (V4_RE.test(s) && isIPv4(s)) return 4;
  const l = s.toLowerCase();
  if (V6_CHARS_RE.test(l) && isIPv6(l)) return 6;
  return null;
}

/** Parses "address/prefix"; returns a problem description instead when it is not one. */
export function parseCidr(s: string): Cidr | string {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(s);
  if (!m) return 'must be an address with prefix length, e.g. 192.0.2.10/24 or 2001:db8::10/64';
  const addr = m[1] ?? '';
  const family = ipFamily(addr);
  if (!family) return 'is not a valid IP address with prefix length';
  const prefix = Number(m[2]);
  const max = family === 4 ? 32 : 128;
  if (prefix < 1 || prefix > max) return `has prefix length out of range 1-${max}`;
  const address = family === 6 ? addr.toLowerCase() : addr;
  return { address, prefix, family, text: `${address}/${prefix}` };
}

function v4ToInt(a: string): number {
  return a.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

/** Problems with a host address inside its own subnet (network or broadcast address), or null. */
export function hostAddressProblem(c: Cidr): string | null {
  if (c.family !== 4 || c.prefix >= 31) return null;
  const size = 2 ** (32 - c.prefix);
  const offset = v4ToInt(c.address) % size;
  if (offset === 0) return 'is the network address of its subnet, not a host address';
  if (offset === size - 1) return 'is the broadcast address of its subnet, not a host address';
  return null;
}

/** True when `ip` lies inside the subnet of `c`. */
export function inSubnet(c: Cidr, ip: string): boolean {
  const list = new BlockList();
  const type = c.family === 4 ? 'ipv4' : 'ipv6';
  list.addSubnet(c.address, c.prefix, type);
  return list.check(ip, type);
}

/** True for an IPv6 link-local address (fe80::/10): a valid on-link IPv6 gateway outside the prefix. */
export function isLinkLocal6(ip: string): boolean {
  const list = new BlockList();
  list.addSubnet('fe80::', 10, 'ipv6');
  return list.check(ip, 'ipv6');
}
