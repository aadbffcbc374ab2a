/** Checks 19–20: libvirt networks guests use are up (bridge, dnsmasq, no clash) and keep their NAT rules. */
import type { HostFacts, LibvirtNetwork } from '../facts/types.js';
import { defineCheck, pass, skipped, type Finding } from './define.js';
import { networkCidr, usedNetworks, type NetUse } from './libvirt-model.js';
import { cidrsOverlap, isManagedNetwork, linkMap, listing } from './model.js';
import { maybe, need } from './need.js';

/** Every problem of one used network, most urgent first (the caller reports the worst). */
function judge(f: HostFacts, name: string, use: NetUse): Finding[] {
  const n = need(f.libvirt).networks.find((x) => x.name === name);
  const sev = use.running.length > 0 ? 'critical' : 'high';
  const who =
    use.running.length + use.autostart.length > 0
      ? `used by ${listing([...use.running, ...use.autostart])}`
      : 'expected by vmNetworkMode nat';
  if (!n)
    return [
      {
        status: 'fail',
        severity: sev,
        fixable: false,
        evidence: { network: name, runningGuests: use.running, autostartGuests: use.autostart },
        message: `network ${name} (${who}) is not defined: guests using it cannot start; define it or fix their XML`,
      },
    ];
  if (n.error) return [{ status: 'error', message: `network ${name}: ${n.error}` }];
  const ev = {
    network: name,
    active: n.active ?? null,
    autostart: n.autostart ?? null,
    bridge: n.bridge ?? null,
    runningGuests: use.running,
    autostartGuests: use.autostart,
  };
  if (n.active === false)
    return [
      {
        status: 'fail',
        severity: sev,
        evidence: ev,
        message: `network ${name} (${who}) is inactive: its guests have no network; start it and mark it autostart`,
      },
    ];
  const out: Finding[] = [];
  if (isManagedNetwork(n) && n.bridge) {
    if (!linkMap(f).has(n.bridge)) {
      out.push({
        status: 'fail',
        severity: sev,
        fixable: false,
        evidence: ev,
        message: `network ${name} is active but its bridge ${n.bridge} is missing: restart the network (then re-attach guest taps)`,
      });
    }
    const servesDhcpDns = n.ips.some((i) => i.dhcp) || (!n.dnsDisabled && n.ips.length > 0);
    const procs = servesDhcpDns ? need(f.dnsmasq) : [];
    if (servesDhcpDns && !procs.some((p) => p.includes(`/${name}.conf`))) {
      out.push({
        status: 'fail',
        severity: sev,
        fixable: false,
        evidence: { ...ev, dnsmasq: procs },
        message: `no dnsmasq runs for network ${name} (${who}): its guests get no DHCP/DNS; restart the network (virsh net-destroy/net-start) or virtnetworkd`,
      });
    }
    const cidr = networkCidr(n);
    const routes = maybe(f.routes4) ?? [];
    const clash = cidr
      ? routes.find(
          (r) =>
            r.dst !== 'default' &&
            (r.table === undefined || r.table === 'main') &&
            r.dev !== n.bridge &&
            r.type === undefined &&
            cidrsOverlap(r.dst.includes('/') ? r.dst : `${r.dst}/32`, cidr),
        )
      : undefined;
    if (clash)
      out.push({
        status: 'fail',
        severity: sev,
        fixable: false,
        evidence: { ...ev, cidr, route: clash },
        message: `network ${name} (${cidr}) overlaps route ${clash.dst} dev ${clash.dev ?? '?'}: move the network to a free range (virsh net-edit ${name})`,
      });
  }
  if (n.autostart === false)
    out.push({
      status: 'fail',
      severity: 'high',
      evidence: ev,
      message: `network ${name} (${who}) is not autostarted: it will be gone after the next reboot; mark it autostart`,
    });
  return out;
}

export const libvirtDefaultNetwork = defineCheck({
  id: 'libvirt.default-network',
  group: 'libvirt',
  title: 'libvirt networks guests use are active, autostarted, bridged, served by dnsmasq and clash-free',
  severity: 'critical',
  fixId: 'libvirt-net-start',
  evaluate(f, vars) {
    const used = usedNetworks(f, vars.vmNetworkMode === 'nat');
    if (used.size === 0) return skipped('no running or autostart guest uses a libvirt network (bridge-type NICs only)');
    const findings = [...used.entries()].flatMap(([name, use]) => judge(f, name, use));
    const worst = findings.find((x) => x.status === 'fail' && x.severity === 'critical') ?? findings[0];
    if (worst) return findings.length > 1 ? { ...worst, message: `${worst.message} (+${findings.length - 1} more)` } : worst;
    return pass(`network ${listing([...used.keys()])} active, autostarted and serving`);
  },
});

/** Does any iptables backend or libvirt's nft table carry masquerade/forward rules for this network? */
function natRulesOf(f: HostFacts, n: LibvirtNetwork, cidr: string): { masquerade: boolean; forward: boolean; seen: string[] } {
  const seen: string[] = [];
  let masquerade = false;
  let forward = false;
  for (const [backend, g] of [
    ['iptables-nft', f.iptables.v4nft],
    ['iptables-legacy', f.iptables.v4legacy],
  ] as const) {
    if (!g.ok) continue;
    for (const t of g.value.tables) {
      for (const c of t.chains) {
        for (const r of c.rules) {
          const arg = (o: string) => r.args[r.args.indexOf(o) + 1];
          if (t.name === 'nat' && r.target === 'MASQUERADE' && r.args.includes('-s') && arg('-s') === cidr) {
            masquerade = true;
            seen.push(`${backend} nat ${c.name}`);
          }
          if (
            t.name === 'filter' &&
            r.target === 'ACCEPT' &&
            ((r.args.includes('-i') && arg('-i') === n.bridge) || (r.args.includes('-o') && arg('-o') === n.bridge))
          ) {
            forward = true;
            seen.push(`${backend} filter ${c.name}`);
          }
        }
      }
    }
  }
  const rs = maybe(f.nft);
  for (const r of rs?.rules.filter((x) => x.table === 'libvirt_network') ?? []) {
    const has = (key: string, v: string) => r.conds.some((c) => c.key === key && c.op !== '!=' && c.values.includes(v));
    if (r.verdict === 'masquerade' && has('ip.saddr', cidr)) masquerade = true;
    if (r.verdict === 'accept' && (has('iifname', n.bridge ?? '') || has('oifname', n.bridge ?? ''))) forward = true;
    if (r.verdict === 'masquerade' || r.verdict === 'accept') seen.push(`nft ${r.family} libvirt_network ${r.chain}`);
  }
  return { masquerade, forward, seen: [...new Set(seen)] };
}

export const libvirtNatRules = defineCheck({
  id: 'libvirt.nat-rules',
  group: 'libvirt',
  title: "Active NAT/route networks still have libvirt's masquerade and forward rules",
  severity: 'critical',
  evaluate(f, vars) {
    const nets = need(f.libvirt).networks.filter((n) => n.active && (n.forwardMode === 'nat' || n.forwardMode === 'route'));
    if (nets.length === 0)
      return skipped(
        `no active NAT/route libvirt network${vars.vmNetworkMode === 'nat' ? ' (see libvirt.default-network)' : ': bridged-only host'}`,
      );
    const backend = maybe(f.libvirtFirewallBackend) ?? null;
    for (const n of nets) {
      const cidr = networkCidr(n);
      if (!cidr || !n.bridge) continue;
      const r = natRulesOf(f, n, cidr);
      const missing = [
        ...(n.forwardMode === 'nat' && !r.masquerade ? [`masquerade for ${cidr}`] : []),
        ...(!r.forward ? [`forward accept for ${n.bridge}`] : []),
      ];
      if (missing.length > 0) {
        return {
          status: 'fail',
          evidence: { network: n.name, mode: n.forwardMode, cidr, firewallBackend: backend, found: r.seen },
          fix: `systemctl restart virtnetworkd 2>/dev/null || systemctl restart libvirtd   # libvirt re-creates its rules and reconnects taps`,
          message: `network ${n.name} (${n.forwardMode}, ${cidr}) is active but ${listing(missing)} is gone (rules flushed?): guests cannot get out; restart virtnetworkd/libvirtd`,
        };
      }
    }
    return pass(`libvirt rules present for ${listing(nets.map((n) => n.name))}`);
  },
});
