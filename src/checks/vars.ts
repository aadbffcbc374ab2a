/** Per-host check variables (from inventory vars) with their defaults and validation. */
import { InputError } from '../core/errors.js';

export type VmNetworkMode = 'bridge' | 'nat';
export type BrNetfilterFix = 'accept-rule' | 'sysctl';

export interface VlanExpectation {
  /** Access VLAN: must be the port's PVID and egress-untagged. */
  readonly pvid?: number;
  /** VLANs the port must carry tagged (uplink trunks). */
  readonly tagged?: readonly number[];
}

/** What a host is supposed to look like. Every field is optional; see resolveVars for defaults. */
export interface CheckVars {
  /** The VM bridge (default `br0`). */
  readonly bridge?: string;
  /** The bridge's uplink (default: the ifupdown bridge_ports, else the bridge's one non-tap port). */
  readonly uplink?: string;
  /** Expected MTU of bridge, uplink and ports (default: the uplink's MTU). */
  readonly mtu?: number;
  /** `bridge` (guests bridged onto the LAN, default) or `nat` (libvirt NAT networks). */
  readonly vmNetworkMode?: VmNetworkMode;
  /** Expected bridge VLAN membership per port name. */
  readonly vlans?: Readonly<Record<string, VlanExpectation>>;
  /** How the br_netfilter fix opens bridged traffic (default `accept-rule`). */
  readonly brNetfilterFix?: BrNetfilterFix;
  /** libvirt URI used by virsh fix commands (default `qemu:///system`). */
  readonly libvirtUri?: string;
  /** L2 segment name for fleet.duplicate-mac: hosts on different segments cannot collide. */
  readonly l2Segment?: string;
  /**
   * Guests that must talk to this host (monitoring, NFS, DNS on the host): every guest (`true`) or
   * the named domains. A macvtap NIC can never reach its host, so libvirt.iface-direct fails for them.
   */
  readonly guestsNeedHost?: boolean | readonly string[];
}

/** CheckVars with defaults applied. */
export interface ResolvedVars {
  readonly bridge: string;
  /** The inventory named the bridge (the `br0` default is only a guess, see vmBridges). */
  readonly bridgeExplicit: boolean;
  readonly uplink: string | undefined;
  readonly mtu: number | undefined;
  readonly vmNetworkMode: VmNetworkMode;
  readonly vlans: Readonly<Record<string, VlanExpectation>>;
  readonly brNetfilterFix: BrNetfilterFix;
  readonly libvirtUri: string;
  readonly l2Segment: string | undefined;
  readonly guestsNeedHost: boolean | readonly string[];
}

export function resolveVars(v: CheckVars = {}): ResolvedVars {
  return {
    bridge: v.bridge ?? 'br0',
    bridgeExplicit: v.bridge !== undefined,
    uplink: v.uplink,
    mtu: v.mtu,
    vmNetworkMode: v.vmNetworkMode ?? 'bridge',
    vlans: v.vlans ?? {},
    brNetfilterFix: v.brNetfilterFix ?? 'accept-rule',
    libvirtUri: v.libvirtUri ?? 'qemu:///system',
    l2Segment: v.l2Segment,
    guestsNeedHost: v.guestsNeedHost ?? false,
  };
}

/** Linux interface names: 1–15 bytes, no '/', ':', whitespace or NUL (dev_valid_name()). */
export function isValidIfname(name: string): boolean {
  return name.length > 0 && Buffer.byteLength(name) <= 15 && name !== '.' && name !== '..' && !/[/:\s\0]/.test(name);
}

function vlanId(v: unknown, where: string): number {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 4094)
    throw new InputError(`${where}: VLAN id must be 1-4094, got ${JSON.stringify(v)}`);
  return n;
}

// Ansible's boolean spellings, as an INI inventory delivers them (`guests_need_host=yes`).
const TRUE_WORDS = new Set(['true', 'yes', 'on', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'off', '0']);

function guestsNeedHost(v: unknown, where: string): boolean | string[] {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && TRUE_WORDS.has(v.trim().toLowerCase())) return true;
  if (typeof v === 'string' && FALSE_WORDS.has(v.trim().toLowerCase())) return false;
  if (Array.isArray(v) && v.every((n) => typeof n === 'string' && n !== '')) return v as string[];
  throw new InputError(`${where} must be true, false or a list of guest (domain) names, got ${JSON.stringify(v)}`);
}

function ifname(v: unknown, where: string): string {
  if (typeof v !== 'string' || !isValidIfname(v)) throw new InputError(`${where}: not a valid interface name: ${JSON.stringify(v)}`);
  return v;
}

/**
 * Validates raw inventory values into CheckVars; throws InputError (one line, naming `source`, e.g.
 * "host hv01") on a bad value. Unknown keys are ignored: inventory vars hold much more than this.
 */
export function parseCheckVars(raw: Readonly<Record<string, unknown>>, source: string): CheckVars {
  const out: { -readonly [K in keyof CheckVars]: CheckVars[K] } = {};
  const at = (k: string) => `${source}: ${k}`;
  if (raw['bridge'] !== undefined) out.bridge = ifname(raw['bridge'], at('bridge'));
  if (raw['uplink'] !== undefined) out.uplink = ifname(raw['uplink'], at('uplink'));
  if (raw['mtu'] !== undefined) {
    const m = typeof raw['mtu'] === 'string' && /^\d+$/.test(raw['mtu']) ? Number(raw['mtu']) : raw['mtu'];
    if (typeof m !== 'number' || !Number.isInteger(m) || m < 68 || m > 65535)
      throw new InputError(`${at('mtu')} must be an integer 68-65535, got ${JSON.stringify(raw['mtu'])}`);
    out.mtu = m;
  }
  const mode = raw['vmNetworkMode'];
  if (mode !== undefined) {
    if (mode !== 'bridge' && mode !== 'nat')
      throw new InputError(`${at('vmNetworkMode')} must be "bridge" or "nat", got ${JSON.stringify(mode)}`);
    out.vmNetworkMode = mode;
  }
  const fix = raw['brNetfilterFix'];
  if (fix !== undefined) {
    if (fix !== 'accept-rule' && fix !== 'sysctl')
      throw new InputError(`${at('brNetfilterFix')} must be "accept-rule" or "sysctl", got ${JSON.stringify(fix)}`);
    out.brNetfilterFix = fix;
  }
  for (const k of ['libvirtUri', 'l2Segment'] as const) {
    const v = raw[k];
    if (v === undefined) continue;
    if (typeof v !== 'string' || v === '') throw new InputError(`${at(k)} must be a non-empty string`);
    out[k] = v;
  }
  if (raw['guestsNeedHost'] !== undefined) out.guestsNeedHost = guestsNeedHost(raw['guestsNeedHost'], at('guests_need_host'));
  const vlans = raw['vlans'];
  if (vlans !== undefined) {
    if (typeof vlans !== 'object' || vlans === null || Array.isArray(vlans))
      throw new InputError(`${at('vlans')} must be a mapping of port name to {pvid, tagged}`);
    const parsed: Record<string, VlanExpectation> = {};
    for (const [port, spec] of Object.entries(vlans as Record<string, unknown>)) {
      const where = at(`vlans.${port}`);
      ifname(port, where);
      if (typeof spec !== 'object' || spec === null || Array.isArray(spec))
        throw new InputError(`${where} must be a mapping with pvid and/or tagged`);
      const s = spec as Record<string, unknown>;
      const tagged = s['tagged'];
      if (tagged !== undefined && !Array.isArray(tagged)) throw new InputError(`${where}.tagged must be a list of VLAN ids`);
      parsed[port] = {
        ...(s['pvid'] !== undefined ? { pvid: vlanId(s['pvid'], `${where}.pvid`) } : {}),
        ...(Array.isArray(tagged) ? { tagged: tagged.map((t, i) => vlanId(t, `${where}.tagged[${i}]`)) } : {}),
      };
    }
    out.vlans = parsed;
  }
  return out;
}
