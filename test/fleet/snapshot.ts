/**
 * A deterministic text picture of one simulated host, for "this run changed nothing" / "the fix
 * restored the clean state" assertions: links, addresses, routes and rules, bridge ports, sysctls of
 * interest, iptables (both backends), nftables, tc qdiscs, and the host's files (libvirt XML,
 * /etc/network/interfaces, sysctl.d, hostname, machine-id). Read-only; volatile fields (ifindex,
 * timers, counters, peer ifindex, timestamps) are dropped so two snapshots of an unchanged host are equal.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { runCmd, SimFleetError } from './exec.js';
import type { HostState } from './model.js';

const SYSCTL_PATTERN =
  '^net\\.(ipv4\\.(ip_forward|conf\\.[^.]+\\.(rp_filter|forwarding|arp_ignore|arp_announce|arp_filter|proxy_arp))|ipv6\\.conf\\.[^.]+\\.(forwarding|accept_ra|disable_ipv6)|bridge\\.)';

const SCRIPT = `
export LC_ALL=C
s() { printf '\\n@@SNAP@@ %s\\n' "$1"; shift; "$@" 2>&1; }
s links ip -j -d link show
s addrs ip -j addr show
s routes4 ip -j -4 route show table all
s routes6 ip -j -6 route show table all
s rules4 ip -j -4 rule show
s br_link bridge -j -d link show
s br_vlan bridge -j vlan show
s sysctl sysctl -a --pattern "$1"
s ipt_nft iptables-nft-save
s ipt_legacy iptables-legacy-save
s ip6t_nft ip6tables-nft-save
s nft nft list ruleset
s tc tc qdisc show
`;

const DROP_KEY =
  /timer|^ifindex$|^link_index$|^link$|^link_netnsid$|^stats|^txqlen$|^num_?[rt]x_?queues$|^g[sr]o_|^tso_|^min_?mtu$|^max_?mtu$|^valid_life_time$|^preferred_life_time$/;

function normalize(v: unknown): unknown {
  if (Array.isArray(v)) {
    const items = v.map(normalize);
    const key = (x: unknown) => (x && typeof x === 'object' && 'ifname' in x ? String((x as { ifname: unknown }).ifname) : undefined);
    if (items.every((x) => key(x) !== undefined)) items.sort((a, b) => key(a)!.localeCompare(key(b)!));
    return items;
  }
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      if (DROP_KEY.test(k)) continue;
      out[k] = normalize((v as Record<string, unknown>)[k]);
    }
    return out;
  }
  return v;
}

function section(name: string, raw: string): string {
  const body = raw.replace(/^\n+|\n+$/g, '');
  if (/^(links|addrs|routes4|routes6|rules4|br_link|br_vlan)$/.test(name)) {
    try {
      return JSON.stringify(normalize(JSON.parse(body || '[]')), null, 1);
    } catch {
      return body;
    }
  }
  if (name.startsWith('ipt') || name.startsWith('ip6t')) {
    return body
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .map((l) => l.replace(/ \[\d+:\d+\]$/, ''))
      .join('\n');
  }
  // Rule counters move with every packet (our own SSH traffic included): traffic, not state.
  if (name === 'nft') return body.replace(/counter packets \d+ bytes \d+/g, 'counter');
  if (name === 'sysctl') return body.split('\n').sort().join('\n');
  return body;
}

function readOr(p: string): string {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return '(missing)';
  }
}

/** Deterministic text of a host's network, firewall and file state (see the module comment). */
export async function snapshotHost(h: HostState): Promise<string> {
  const r = await runCmd('ip', ['netns', 'exec', h.host.netns, 'sh', '-c', SCRIPT, 'sh', SYSCTL_PATTERN], { timeoutMs: 60_000 });
  if (r.code !== 0 && !r.stdout.includes('@@SNAP@@')) {
    throw new SimFleetError(`${h.host.name}: snapshot failed: ${r.stderr.trim().split('\n')[0] ?? ''}`);
  }
  const parts = r.stdout.split('\n@@SNAP@@ ').slice(1);
  const out: string[] = [];
  for (const p of parts) {
    const nl = p.indexOf('\n');
    const name = nl < 0 ? p : p.slice(0, nl);
    out.push(`=== ${name}`, section(name, nl < 0 ? '' : p.slice(nl + 1)));
  }
  out.push('=== libvirt.xml', readOr(h.host.xmlPath));
  out.push('=== /etc/network/interfaces', readOr(path.join(h.etcDir, 'network/interfaces')));
  const sysctlDir = path.join(h.etcDir, 'sysctl.d');
  let files: string[] = [];
  try {
    files = readdirSync(sysctlDir).sort();
  } catch {
    /* none */
  }
  for (const f of files) out.push(`=== /etc/sysctl.d/${f}`, readOr(path.join(sysctlDir, f)));
  out.push('=== /etc/hostname', readOr(path.join(h.etcDir, 'hostname')));
  out.push('=== /etc/machine-id', readOr(path.join(h.etcDir, 'machine-id')));
  return `${out.join('\n')}\n`;
}
