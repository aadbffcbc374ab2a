/**
 * A host's facts, boiled down for the drill-down: a dozen lines an operator reads (bridges, uplinks,
 * addresses, default route, VMs, libvirt networks, what could not be gathered), never the whole
 * (possibly megabytes of) facts object. Reads fleet's HostFacts (facts/types.ts, `fleet-facts/v1`)
 * defensively, since stored JSON is only data; anything else gets a generic key/value preview.
 * Groups: a run records each host's inventory groups (store v3); for runs recorded before that, a
 * `groups` array in the facts is still read (groupsFromFacts).
 */

type Rec = Record<string, unknown>;

/** Inventory groups recorded in the facts under `groups` (strings only), else none. */
export function groupsFromFacts(facts: unknown): string[] {
  if (!isRecord(facts) || !Array.isArray(facts.groups)) return [];
  return [...new Set(facts.groups.filter((g): g is string => typeof g === 'string' && g !== 'all' && g !== 'ungrouped'))];
}

/** [label, short value] pairs for the drill-down. */
export function summariseFacts(facts: unknown, maxEntries = 24, maxValue = 160): [string, string][] {
  if (facts === undefined || facts === null) return [];
  const pairs = isRecord(facts) && facts.format === 'fleet-facts/v1' ? hostFactsSummary(facts) : genericSummary(facts);
  const out = pairs.slice(0, maxEntries).map(([k, v]): [string, string] => [k, clip(v, maxValue)]);
  if (pairs.length > maxEntries) out.push(['…', `${pairs.length - maxEntries} more (fleet show RUN --host HOST --json)`]);
  return out;
}

function hostFactsSummary(f: Rec): [string, string][] {
  const out: [string, string][] = [];
  const missing: string[] = [];
  const get = (key: string): unknown => {
    const g = f[key];
    if (isRecord(g) && g.ok === true) return g.value;
    if (isRecord(g) && g.ok === false) missing.push(`${key} (${str(g.reason)})`);
    return undefined;
  };
  for (const key of ['hostname', 'kernel', 'machineId']) {
    const v = get(key);
    if (typeof v === 'string') out.push([key === 'machineId' ? 'machine id' : key, v]);
  }
  const links = records(get('links'));
  const addrs = records(get('addrs'));
  const addrsOf = (ifname: string) =>
    addrs.filter((a) => a.ifname === ifname && a.scope === 'global').map((a) => `${str(a.local)}/${str(a.prefixlen)}`);
  for (const br of links.filter((l) => l.kind === 'bridge')) {
    const name = str(br.ifname);
    const ports = links.filter((l) => l.master === name).map((l) => str(l.ifname));
    const b = isRecord(br.bridge) ? br.bridge : {};
    const ip = addrsOf(name);
    out.push([
      `bridge ${name}`,
      `${str(br.operstate)} mtu ${str(br.mtu)} stp ${b.stpState ? 'on' : 'off'}${b.vlanFiltering ? ' vlan-filtering' : ''}` +
        `${ip.length ? ` ${ip.join(' ')}` : ''}; ports: ${ports.length ? ports.join(', ') : 'none'}`,
    ]);
  }
  for (const nic of links.filter((l) => l.physical === true)) {
    const ip = addrsOf(str(nic.ifname));
    out.push([
      `nic ${str(nic.ifname)}`,
      `${str(nic.operstate)}${nic.carrier === false ? ' no-carrier' : ''} mtu ${str(nic.mtu)}${nic.master ? ` -> ${str(nic.master)}` : ''}${ip.length ? ` ${ip.join(' ')}` : ''}`,
    ]);
  }
  const defaults = records(get('routes4')).filter((r) => r.dst === 'default' && (r.table === undefined || r.table === 'main'));
  out.push([
    'default route',
    defaults.length ? defaults.map((r) => `via ${str(r.gateway ?? '-')} dev ${str(r.dev ?? '-')}`).join('; ') : 'none',
  ]);
  const libvirt = get('libvirt');
  if (isRecord(libvirt)) {
    const domains = records(libvirt.domains);
    const running = domains.filter((d) => d.running === true).length;
    out.push(['VMs', `${domains.length} (${running} running)${domains.length ? `: ${domains.map((d) => str(d.name)).join(', ')}` : ''}`]);
    const nets = records(libvirt.networks);
    if (nets.length)
      out.push([
        'libvirt networks',
        nets.map((n) => `${str(n.name)}${n.active === false ? ' (inactive)' : ''}${n.bridge ? ` on ${str(n.bridge)}` : ''}`).join(', '),
      ]);
  }
  const brnf = get('brNetfilter');
  if (typeof brnf === 'boolean') out.push(['br_netfilter', brnf ? 'active' : 'inactive']);
  const sysctls = get('sysctls');
  if (isRecord(sysctls) && sysctls['net.ipv4.ip_forward'] !== undefined) out.push(['ip_forward', str(sysctls['net.ipv4.ip_forward'])]);
  if (f.complete === false) out.push(['facts', 'cut short: later sections missing']);
  // Everything else the parser records is still read so gaps are reported.
  for (const key of ['routes6', 'neigh', 'bridgeVlans', 'nft', 'kernelModules', 'ifupdown', 'dnsmasq']) get(key);
  if (missing.length) out.push(['not gathered', missing.join('; ')]);
  return out;
}

function genericSummary(facts: unknown): [string, string][] {
  if (!isRecord(facts)) return [['facts', preview(facts)]];
  return Object.entries(facts)
    .filter(([key]) => key !== 'groups')
    .map(([key, value]): [string, string] => [key, preview(value)]);
}

function preview(value: unknown): string {
  if (value === null || value === undefined || typeof value !== 'object') return str(value);
  if (Array.isArray(value)) {
    const scalars = value.every((v) => v === null || typeof v !== 'object');
    return scalars ? `[${value.map(str).join(', ')}]` : `${value.length} item${value.length === 1 ? '' : 's'}`;
  }
  const entries = Object.entries(value as Rec);
  if (entries.every(([, v]) => v === null || typeof v !== 'object')) return entries.map(([k, v]) => `${k}=${str(v)}`).join(', ');
  return `${entries.length} keys: ${entries.map(([k]) => k).join(', ')}`;
}

function records(v: unknown): Rec[] {
  return Array.isArray(v) ? v.filter(isRecord) : [];
}

function str(v: unknown): string {
  return v === undefined ? '' : typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function isRecord(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
