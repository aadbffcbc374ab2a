/**
 * The runtime network state fleet snapshots on a host before a bridge change: links (master, MTU,
 * admin state, MAC, bridge STP/forward delay), global addresses and main-table routes, parsed from
 * `ip -j -d link`, `ip -j addr` and `ip -j route show table main`. Pure: the host only prints JSON.
 */

export interface RtLink {
  readonly name: string;
  readonly kind: string | null;
  readonly master: string | null;
  readonly mtu: number;
  readonly up: boolean;
  readonly mac: string | null;
  /** Only for bridges. */
  readonly stp: number | null;
  /**
   * Centiseconds, only for bridges. The kernel reports the OPERATIONAL delay: on a bridge that is
   * not its own STP root it is the root's, learned from BPDUs, not the one configured here.
   */
  readonly forwardDelayCs: number | null;
  /** STP bridge priority, only for bridges. */
  readonly priority: number | null;
  /** STP root port number, only for bridges: 0 = this bridge is the root (its own delay is in force). */
  readonly rootPort: number | null;
}

export interface RtAddr {
  readonly dev: string;
  readonly family: 4 | 6;
  readonly local: string;
  readonly prefix: number;
}

export interface RtRoute {
  readonly dst: string;
  readonly gateway: string | null;
  readonly dev: string | null;
  readonly metric: number | null;
  readonly protocol: string | null;
  readonly scope: string | null;
  readonly prefsrc: string | null;
  readonly type: string | null;
}

export interface RuntimeSnapshot {
  readonly links: readonly RtLink[];
  readonly addrs: readonly RtAddr[];
  readonly routes: readonly RtRoute[];
}

/** The read-only command that prints what parseRuntime reads (three JSON documents, one per line). */
export const RUNTIME_DUMP = 'ip -j -d link show; echo; ip -j addr show; echo; ip -j route show table main; echo';

type J = Record<string, unknown>;
const obj = (v: unknown): J => (v && typeof v === 'object' && !Array.isArray(v) ? (v as J) : {});
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function parseArray(text: string, what: string): J[] {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new Error(`cannot parse ${what} (ip -j output): ${text.slice(0, 80)}`);
  }
  if (!Array.isArray(v)) throw new Error(`${what}: expected a JSON array`);
  return v.map(obj);
}

/** A guest port: libvirt taps (vnet*, tap*, macvtap*) or any tun/tap device; fleet never releases those. */
export function isGuestPort(l: Pick<RtLink, 'name' | 'kind'>): boolean {
  return l.kind === 'tun' || /^(vnet|tap|macvtap)/.test(l.name);
}

/** Parses the three JSON documents RUNTIME_DUMP prints. */
export function parseRuntime(text: string): RuntimeSnapshot {
  const docs = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('['));
  if (docs.length !== 3) throw new Error(`runtime snapshot: expected 3 JSON documents from ip, got ${docs.length}`);
  const links: RtLink[] = parseArray(docs[0] ?? '', 'links').map((l) => {
    const info = obj(l['linkinfo']);
    const data = obj(info['info_data']);
    const kind = str(info['info_kind']);
    const flags = Array.isArray(l['flags']) ? (l['flags'] as unknown[]) : [];
    return {
      name: String(l['ifname'] ?? ''),
      kind,
      master: str(l['master']),
      mtu: num(l['mtu']) ?? 1500,
      up: flags.includes('UP'),
      mac: str(l['address']),
      stp: kind === 'bridge' ? num(data['stp_state']) : null,
      forwardDelayCs: kind === 'bridge' ? num(data['forward_delay']) : null,
      priority: kind === 'bridge' ? num(data['priority']) : null,
      rootPort: kind === 'bridge' ? num(data['root_port']) : null,
    };
  });
  const addrs: RtAddr[] = [];
  for (const l of parseArray(docs[1] ?? '', 'addresses')) {
    const dev = String(l['ifname'] ?? '');
    for (const a of Array.isArray(l['addr_info']) ? (l['addr_info'] as unknown[]).map(obj) : []) {
      const fam = a['family'] === 'inet' ? 4 : a['family'] === 'inet6' ? 6 : null;
      const local = str(a['local']);
      const prefix = num(a['prefixlen']);
      // Only global addresses are fleet's business: link-local and host scope come and go with links.
      if (!fam || !local || prefix === null || a['scope'] !== 'global') continue;
      addrs.push({ dev, family: fam, local, prefix });
    }
  }
  const routes: RtRoute[] = parseArray(docs[2] ?? '', 'routes').map((r) => ({
    dst: String(r['dst'] ?? ''),
    gateway: str(r['gateway']),
    dev: str(r['dev']),
    metric: num(r['metric']),
    protocol: str(r['protocol']),
    scope: str(r['scope']),
    prefsrc: str(r['prefsrc']),
    type: str(r['type']),
  }));
  return { links, addrs, routes };
}

export const linkByName = (s: RuntimeSnapshot, name: string): RtLink | undefined => s.links.find((l) => l.name === name);
