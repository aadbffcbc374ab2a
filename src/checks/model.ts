/** Derived views of HostFacts shared by checks and fixes: bridges, ports, uplink, guests, addresses. */
import type { Domain, DomainInterface, HostFacts, IfAddr, Link, LibvirtNetwork, Route } from '../facts/types.js';
import { maybe, need } from './need.js';
import type { ResolvedVars } from './vars.js';

export function linkMap(f: HostFacts): Map<string, Link> {
  return new Map(need(f.links).map((l) => [l.ifname, l]));
}

export function portsOf(links: ReadonlyMap<string, Link>, bridge: string): Link[] {
  return [...links.values()].filter((l) => l.master === bridge);
}

/** Host-side device names libvirt reports for guest NICs (empty when libvirt facts are missing). */
export function guestTargets(f: HostFacts): Set<string> {
  const lv = maybe(f.libvirt);
  return new Set(lv ? lv.domains.flatMap((d) => d.interfaces.flatMap((i) => i.targetDev ?? [])) : []);
}

// libvirt (vnetN, macvtapN), Proxmox (tapNiM, fwprN/fwlnN firewall bridges) and test-bed (tap-*) names.
const GUEST_PORT_NAME = /^(vnet\d|tap|macvtap\d|fwpr\d|fwln\d)/;

/** A bridge port that belongs to a guest (tap), not an uplink. */
export function isGuestPort(l: Link, targets: ReadonlySet<string>): boolean {
  return targets.has(l.ifname) || l.kind === 'tun' || GUEST_PORT_NAME.test(l.ifname);
}

export interface Uplink {
  readonly name?: string;
  /** Where the name came from, for messages: vars, ifupdown config, the bridge's ports, default route. */
  readonly source: 'vars' | 'config' | 'port' | 'route' | 'ambiguous' | 'none';
  readonly candidates: readonly string[];
}

/** The bridge's ports from an ifupdown stanza (`bridge_ports eth0 eth1`), if ifupdown configures it. */
export function configuredPorts(f: HostFacts, bridge: string): string[] | undefined {
  const cfg = maybe(f.ifupdown);
  const stanza = cfg?.ifaces.find((i) => i.name === bridge && i.family === 'inet') ?? cfg?.ifaces.find((i) => i.name === bridge);
  const ports = stanza?.options['bridge-ports'];
  if (!ports) return undefined;
  return ports
    .join(' ')
    .split(/\s+/)
    .filter((p) => p !== '' && p !== 'none');
}

/** Which interface is the bridge's uplink: vars, else ifupdown bridge_ports, else its one non-guest port. */
export function resolveUplink(f: HostFacts, vars: ResolvedVars, bridge = vars.bridge): Uplink {
  if (vars.uplink && bridge === vars.bridge) return { name: vars.uplink, source: 'vars', candidates: [vars.uplink] };
  const configured = configuredPorts(f, bridge);
  if (configured && configured.length > 0) return { name: configured[0], source: 'config', candidates: configured };
  const links = maybe(f.links);
  if (links) {
    const targets = guestTargets(f);
    const nonGuest = links.filter((l) => l.master === bridge && !isGuestPort(l, targets));
    const physical = nonGuest.filter((l) => l.physical);
    const pick = physical.length > 0 ? physical : nonGuest;
    if (pick.length === 1) return { name: pick[0]?.ifname, source: 'port', candidates: [pick[0]?.ifname ?? ''] };
    if (pick.length > 1) return { source: 'ambiguous', candidates: pick.map((l) => l.ifname) };
  }
  if (vars.vmNetworkMode === 'nat') {
    const dev = defaultRoutes(f)[0]?.dev;
    if (dev) return { name: dev, source: 'route', candidates: [dev] };
  }
  return { source: 'none', candidates: [] };
}

export function globalAddrs(f: HostFacts, ifname?: string): IfAddr[] {
  return need(f.addrs).filter((a) => a.scope === 'global' && (ifname === undefined || a.ifname === ifname));
}

/** IPv4 default routes of the main table. */
export function defaultRoutes(f: HostFacts): Route[] {
  return need(f.routes4).filter(
    (r) => r.dst === 'default' && (r.table === undefined || r.table === 'main') && (r.type === undefined || r.type === 'unicast'),
  );
}

export function domains(f: HostFacts): readonly Domain[] {
  return need(f.libvirt).domains;
}

export function networkByName(f: HostFacts, name: string): LibvirtNetwork | undefined {
  return maybe(f.libvirt)?.networks.find((n) => n.name === name);
}

/** A libvirt network that plugs guests into an existing host bridge (not NAT, not macvtap). */
export function isHostBridgeNetwork(n: LibvirtNetwork): boolean {
  return n.forwardMode === 'bridge' && n.forwardDevs.length === 0 && n.bridge !== undefined;
}

/** libvirt creates and owns this network's bridge (NAT, route, open, isolated). */
export function isManagedNetwork(n: LibvirtNetwork): boolean {
  return n.forwardMode === undefined || n.forwardMode === 'nat' || n.forwardMode === 'route' || n.forwardMode === 'open';
}

/** The host bridge a guest NIC plugs into, when it is a bridge at all. */
export function nicBridge(f: HostFacts, nic: DomainInterface): string | undefined {
  if (nic.type === 'bridge') return nic.sourceBridge;
  if (nic.type === 'network' && nic.sourceNetwork) {
    const n = networkByName(f, nic.sourceNetwork);
    if (n && (isHostBridgeNetwork(n) || isManagedNetwork(n))) return n.bridge;
  }
  return undefined;
}

export interface BridgeRef {
  readonly name: string;
  /** Guests (dom/nic) that plug into it; empty for the vars bridge. */
  readonly users: ReadonlyArray<{ readonly domain: string; readonly running: boolean; readonly autostart: boolean }>;
  /** Guests reach the LAN through an uplink port on it (host bridges, not libvirt NAT bridges). */
  readonly expectsUplink: boolean;
  readonly managedByLibvirt: boolean;
}

/**
 * The bridges guests depend on: in bridge mode the vars bridge plus every host bridge a domain or a
 * forward-mode=bridge network names; in NAT mode the bridges of libvirt's managed networks in use.
 */
export function vmBridges(f: HostFacts, vars: ResolvedVars): BridgeRef[] {
  const refs = new Map<string, { users: BridgeRef['users'][number][]; managed: boolean }>();
  const add = (name: string, managed: boolean, user?: BridgeRef['users'][number]) => {
    const r = refs.get(name) ?? { users: [], managed };
    if (user) r.users.push(user);
    refs.set(name, r);
  };
  if (vars.vmNetworkMode === 'bridge') add(vars.bridge, false);
  const lv = maybe(f.libvirt);
  for (const d of lv?.domains ?? []) {
    for (const nic of d.interfaces) {
      const user = { domain: d.name, running: d.running, autostart: d.autostart };
      if (nic.type === 'bridge' && nic.sourceBridge) add(nic.sourceBridge, false, user);
      if (nic.type === 'network' && nic.sourceNetwork) {
        const n = lv?.networks.find((x) => x.name === nic.sourceNetwork);
        if (n?.bridge && isHostBridgeNetwork(n)) add(n.bridge, false, user);
        else if (n?.bridge && isManagedNetwork(n) && n.active) add(n.bridge, true, user);
      }
    }
  }
  // The default `br0` is a guess: when it does not exist and guests use other host bridges, it is
  // not expected (e.g. a Proxmox host with vmbr0 and no vars.bridge); an explicit vars.bridge always is.
  const guessed = refs.get(vars.bridge);
  const links = maybe(f.links);
  if (
    vars.vmNetworkMode === 'bridge' &&
    !vars.bridgeExplicit &&
    guessed?.users.length === 0 &&
    links &&
    !links.some((l) => l.ifname === vars.bridge)
  ) {
    const others = [...refs.entries()].filter(
      ([n, r]) => n !== vars.bridge && !r.managed && links.some((l) => l.ifname === n && l.kind === 'bridge'),
    );
    if (others.length > 0) refs.delete(vars.bridge);
  }
  return [...refs.entries()].map(([name, r]) => ({ name, users: r.users, expectsUplink: !r.managed, managedByLibvirt: r.managed }));
}

export function sysctlNum(f: HostFacts, key: string): number | undefined {
  const v = maybe(f.sysctls)?.[key];
  return v !== undefined && /^-?\d+$/.test(v) ? Number(v) : undefined;
}

/** "eth0, tap1 and 3 more" for messages. */
export function listing(items: readonly string[], max = 3): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/** Severity for a bridge problem by who depends on it (doc: critical if running/autostart guests). */
export function bySeverityOfUsers(ref: BridgeRef): 'critical' | 'high' {
  return ref.users.length === 0 || ref.users.some((u) => u.running || u.autostart) ? 'critical' : 'high';
}

// IPv4 helpers for subnet overlap and rule address matching.
export function ipv4ToInt(ip: string): number | undefined {
  const p = ip.split('.');
  if (p.length !== 4) return undefined;
  let n = 0;
  for (const part of p) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    n = n * 256 + Number(part);
  }
  return n;
}

export function parseCidr4(cidr: string): { base: number; len: number } | undefined {
  const [addr = '', lenText] = cidr.split('/');
  const ip = ipv4ToInt(addr);
  const len = lenText === undefined ? 32 : Number(lenText);
  if (ip === undefined || !Number.isInteger(len) || len < 0 || len > 32) return undefined;
  const size = 2 ** (32 - len);
  return { base: ip - (ip % size), len };
}

export function cidrContains(cidr: string, ip: string): boolean | undefined {
  const c = parseCidr4(cidr);
  const n = ipv4ToInt(ip);
  if (!c || n === undefined) return undefined;
  return n - (n % 2 ** (32 - c.len)) === c.base;
}

export function cidrsOverlap(a: string, b: string): boolean | undefined {
  const x = parseCidr4(a);
  const y = parseCidr4(b);
  if (!x || !y) return undefined;
  const len = Math.min(x.len, y.len);
  const size = 2 ** (32 - len);
  return x.base - (x.base % size) === y.base - (y.base % size);
}

/**
 * The MTU a VM bridge and its ports should have: vars.mtu (for the vars bridge), else its uplink's,
 * else its highest port's, else its own. Never the bridge's own when it has ports: the kernel drops a
 * bridge to its SMALLEST port's MTU, so measuring against it would call one low tap "consistent".
 */
export function expectedMtu(
  f: HostFacts,
  vars: ResolvedVars,
  ref: BridgeRef,
  links: ReadonlyMap<string, Link>,
): { mtu: number; explicit: boolean; uplink?: string } {
  const br = links.get(ref.name);
  const mine = ref.name === vars.bridge;
  const up = ref.expectsUplink ? resolveUplink(f, vars, ref.name) : undefined;
  const uplink = up?.name ? links.get(up.name) : undefined;
  if (mine && vars.mtu !== undefined) return { mtu: vars.mtu, explicit: true, ...(uplink ? { uplink: uplink.ifname } : {}) };
  if (uplink) return { mtu: uplink.mtu, explicit: false, uplink: uplink.ifname };
  const highest = Math.max(0, ...portsOf(links, ref.name).map((p) => p.mtu));
  return { mtu: highest > 0 ? highest : (br?.mtu ?? 1500), explicit: false };
}
