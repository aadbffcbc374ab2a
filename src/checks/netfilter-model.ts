/** Shared netfilter views: which iptables dumps apply, whether br_netfilter calls a family's hooks. */
import type { Gathered, HostFacts, IptablesDump, NftChain, NftRuleset } from '../facts/types.js';
import { defaultRoutes, linkMap, sysctlNum, vmBridges } from './model.js';
import { maybe, need } from './need.js';
import { walkIptables, walkNftChain, type Flow } from './netfilter-sim.js';
import type { ResolvedVars } from './vars.js';

export type Family = 4 | 6;

/** The iptables dumps the kernel applies for a family (nft and legacy backends both filter). */
export function iptDumps(f: HostFacts, family: Family): Array<{ backend: string; dump: IptablesDump }> {
  const pairs: Array<[string, Gathered<IptablesDump>]> =
    family === 4
      ? [
          ['iptables-nft', f.iptables.v4nft],
          ['iptables-legacy', f.iptables.v4legacy],
        ]
      : [
          ['ip6tables-nft', f.iptables.v6nft],
          ['ip6tables-legacy', f.iptables.v6legacy],
        ];
  const usable = pairs.flatMap(([backend, g]) => (g.ok ? [{ backend, dump: g.value }] : []));
  const broken = pairs.find(([, g]) => !g.ok && g.cause !== 'not-installed' && g.cause !== 'unsupported');
  // One backend unreadable (not merely absent or unsupported by the kernel) means its rules are unknown: refuse to guess.
  if (broken) need(broken[1]);
  return usable;
}

/** br_netfilter calls the family's hooks for bridge `name`: global sysctl or the per-bridge knob. */
export function nfCall(f: HostFacts, name: string, family: Family): boolean {
  const key = family === 4 ? 'net.bridge.bridge-nf-call-iptables' : 'net.bridge.bridge-nf-call-ip6tables';
  const br = maybe(f.links)?.find((l) => l.ifname === name)?.bridge;
  return sysctlNum(f, key) === 1 || (family === 4 ? br?.nfCallIptables : br?.nfCallIp6tables) === 1;
}

export function existingVmBridges(f: HostFacts, vars: ResolvedVars): string[] {
  const links = linkMap(f);
  return vmBridges(f, vars)
    .map((r) => r.name)
    .filter((n) => links.get(n)?.kind === 'bridge');
}

export const bridgedFlow = (br: string): Flow => ({ iif: br, oif: br, bridge: br, bridged: true, ct: 'new' });

/** Chains iptables-nft owns (judged by netfilter.br-nf-iptables from its own dump). */
export function isIptablesNftChain(f: HostFacts, rs: NftRuleset, c: NftChain): boolean {
  if (c.family !== 'ip' && c.family !== 'ip6') return false;
  const dump = c.family === 'ip' ? f.iptables.v4nft : f.iptables.v6nft;
  if (dump.ok) return dump.value.tables.some((t) => t.name === c.table && t.chains.some((x) => x.name === c.name));
  return (
    /^(filter|nat|mangle|raw|security)$/.test(c.table) &&
    (/^[A-Z]+$/.test(c.name) || rs.rules.some((r) => r.family === c.family && r.table === c.table && r.chain === c.name && r.xt))
  );
}

export function forwardFlows(f: HostFacts, vars: ResolvedVars): Array<{ flow: Flow; families: string[]; what: string }> {
  const flows: Array<{ flow: Flow; families: string[]; what: string }> = [];
  if (maybe(f.brNetfilter)) {
    for (const b of existingVmBridges(f, vars)) {
      const fams = [...(nfCall(f, b, 4) ? ['ip', 'inet'] : []), ...(nfCall(f, b, 6) ? ['ip6', 'inet'] : [])];
      if (fams.length > 0) flows.push({ flow: bridgedFlow(b), families: [...new Set(fams)], what: `bridged traffic on ${b}` });
    }
  }
  // Guests of NAT/route networks are routed: the forward hook sees them with or without br_netfilter.
  const out = maybe(f.routes4) ? defaultRoutes(f)[0]?.dev : undefined;
  for (const n of maybe(f.libvirt)?.networks ?? []) {
    if (!n.active || !n.bridge || (n.forwardMode !== 'nat' && n.forwardMode !== 'route')) continue;
    const ip = n.ips.find((i) => i.family === 'ipv4');
    flows.push({
      flow: { iif: n.bridge, ...(out ? { oif: out } : {}), ...(ip ? { saddr: ip.address } : {}), ct: 'new' },
      families: ['ip', 'inet'],
      what: `routed traffic of network ${n.name} (${n.bridge})`,
    });
  }
  return flows;
}

export interface BrNfDrop {
  readonly family: Family;
  readonly bridge: string;
  readonly backend: string;
  readonly by: string;
}

/** Where br_netfilter sends a VM bridge's traffic into an iptables FORWARD that drops it. */
export function brNfDrops(f: HostFacts, vars: ResolvedVars): { drops: BrNfDrop[]; looked: number } {
  const drops: BrNfDrop[] = [];
  let looked = 0;
  if (!need(f.brNetfilter)) return { drops, looked };
  const bridges = existingVmBridges(f, vars);
  for (const family of [4, 6] as const) {
    const on = bridges.filter((b) => nfCall(f, b, family));
    if (on.length === 0) continue;
    for (const { backend, dump } of iptDumps(f, family)) {
      looked++;
      for (const b of on) {
        const v = walkIptables(dump, 'filter', 'FORWARD', bridgedFlow(b));
        if (v.verdict === 'drop') drops.push({ family, bridge: b, backend, by: v.by });
      }
    }
  }
  return { drops, looked };
}

export interface NftForwardDrop {
  readonly chain: NftChain;
  readonly flow: Flow;
  /** "bridged traffic on br1", "routed traffic of network default (virbr0)". */
  readonly what: string;
  readonly by: string;
}

/** nft forward-hook base chains (ip/ip6/inet; not iptables-nft's or libvirt's own) that drop a guest flow. */
export function nftForwardDrops(f: HostFacts, vars: ResolvedVars): NftForwardDrop[] {
  const rs = need(f.nft);
  const fwd = rs.chains.filter(
    (c) => c.hook === 'forward' && c.family !== 'bridge' && c.table !== 'libvirt_network' && !isIptablesNftChain(f, rs, c),
  );
  const drops: NftForwardDrop[] = [];
  for (const { flow, families, what } of forwardFlows(f, vars)) {
    for (const c of fwd.filter((x) => families.includes(x.family))) {
      const v = walkNftChain(rs, c.family, c.table, c.name, flow);
      if (v.verdict === 'drop') drops.push({ chain: c, flow, what, by: v.by });
    }
  }
  return drops;
}
