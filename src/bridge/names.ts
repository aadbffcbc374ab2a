/**
 * Interface and object names. The kernel allows almost anything up to IFNAMSIZ-1 = 15 bytes, but
 * every name here is written into config files and shell commands, so only a conservative
 * character set is accepted: nothing that could start a comment, a new line, a YAML/INI/XML
 * construct, a shell word split or an ifupdown alias (`:`).
 */

/** Longest Linux interface name (IFNAMSIZ 16 minus the NUL). */
export const IFNAME_MAX = 15;

const BRIDGE_RE = /^[A-Za-z][A-Za-z0-9_-]*$/;
/** Uplinks may be VLAN devices (`eno1.100`), so a dot is allowed there. */
const UPLINK_RE = /^[A-Za-z][A-Za-z0-9_.-]*$/;
/** Prefixes libvirt gives its own devices: a fleet bridge named like them would be confused with them. */
const LIBVIRT_PREFIXES = ['vnet', 'macvtap', 'macvlan', 'virbr'];
/** Names that are directories under /proc/sys/net/ipv4/conf (and ipv6) or otherwise special. */
const RESERVED = new Set(['lo', 'all', 'default', 'none']);

/** Returns a problem description, or null when `name` is a usable interface name. */
export function interfaceNameProblem(name: string, kind: 'bridge' | 'uplink'): string | null {
  if (name.length === 0) return 'must not be empty';
  if (Buffer.byteLength(name) > IFNAME_MAX) return `must be at most ${IFNAME_MAX} characters (kernel IFNAMSIZ)`;
  const re = kind === 'bridge' ? BRIDGE_RE : UPLINK_RE;
  if (!re.test(name)) {
    return kind === 'bridge'
      ? 'must start with a letter and contain only letters, digits, "_" and "-"'
      : 'must start with a letter and contain only letters, digits, "_", "-" and "."';
  }
  if (RESERVED.has(name.toLowerCase())) return 'is a reserved name';
  if (kind === 'bridge') {
    const p = LIBVIRT_PREFIXES.find((x) => name.startsWith(x));
    if (p) return `must not start with "${p}" (libvirt names its own devices that way)`;
  }
  return null;
}

const NET_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Returns a problem description, or null when `name` is a usable libvirt network name. */
export function libvirtNetworkNameProblem(name: string): string | null {
  return NET_NAME_RE.test(name) ? null : 'must be 1-64 letters, digits, "_", "-" or "." starting with a letter or digit';
}

const DOMAIN_LABEL_RE = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/** True for a DNS search domain such as `example.org` (a trailing dot is not accepted). */
export function isDomainName(s: string): boolean {
  return s.length <= 253 && s.split('.').every((l) => DOMAIN_LABEL_RE.test(l));
}

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** Normalizes a MAC to lower-case colon form, or returns null when it is not a unicast MAC-48. */
export function normalizeMac(s: string): string | null {
  const mac = s.toLowerCase().replace(/-/g, ':');
  if (!MAC_RE.test(mac)) return null;
  // Multicast bit set (01:…, 33:33:…) or all zeros: not usable as an interface address.
  if ((parseInt(mac.slice(0, 2), 16) & 1) === 1 || mac === '00:00:00:00:00:00') return null;
  return mac;
}
