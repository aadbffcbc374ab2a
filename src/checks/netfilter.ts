/** Checks 11–13: br_netfilter + iptables FORWARD, nftables forward/bridge chains, host INPUT for guests. */
import { shQuote } from '../core/shell.js';
import { defineCheck, pass, skipped, type Finding } from './define.js';
import { isManagedNetwork, listing } from './model.js';
import { maybe, need } from './need.js';
import { brNfDrops, existingVmBridges, iptDumps, isIptablesNftChain, nftForwardDrops } from './netfilter-model.js';
import { walkIptables, walkNftChain, type Flow } from './netfilter-sim.js';

export const brNfIptables = defineCheck({
  id: 'netfilter.br-nf-iptables',
  group: 'netfilter',
  title: 'br_netfilter does not feed bridged guest traffic into a dropping iptables FORWARD',
  severity: 'critical',
  fixId: 'br-netfilter',
  evaluate(f, vars) {
    const bridges = existingVmBridges(f, vars);
    if (bridges.length === 0) return skipped('no existing VM bridge to look at (see bridge.exists)');
    if (!need(f.brNetfilter)) return pass('br_netfilter is not active: bridged frames never traverse iptables');
    const { drops, looked } = brNfDrops(f, vars);
    const d = drops.find((x) => x.family === 4) ?? drops[0];
    if (d) {
      const fam = d.family === 4 ? 'IPv4' : 'IPv6';
      const sysctl = d.family === 4 ? 'bridge-nf-call-iptables' : 'bridge-nf-call-ip6tables';
      return {
        status: 'fail',
        severity: d.family === 4 ? 'critical' : 'high',
        evidence: { drops },
        message: `br_netfilter sends bridged ${fam} on ${d.bridge} through ${d.backend} FORWARD, which drops it (${d.by}): guests lose each other and the LAN; accept bridged traffic or set ${sysctl}=0`,
      };
    }
    if (looked === 0) return pass(`br_netfilter is active but bridge-nf-call-iptables/ip6tables are 0 for ${listing(bridges)}`);
    return pass(`bridged traffic on ${listing(bridges)} is accepted by iptables FORWARD`);
  },
});

export const nftForward = defineCheck({
  id: 'netfilter.nft-forward',
  group: 'netfilter',
  title: 'No nftables forward/bridge base chain drops guest traffic',
  severity: 'critical',
  // Runtime fix for bridged VM traffic only: routed (NAT) guests also need their return traffic
  // accepted, and a bridge-family drop may be intended; those stay with a human.
  fixId: 'nft-forward-accept',
  evaluate(f, vars) {
    const rs = need(f.nft);
    const bad: Finding[] = [];
    const base = rs.chains.filter((c) => c.hook !== undefined && c.table !== 'libvirt_network');
    const fwd = base.filter((c) => c.hook === 'forward' && c.family !== 'bridge' && !isIptablesNftChain(f, rs, c));
    for (const { chain: c, flow, what, by } of nftForwardDrops(f, vars)) {
      const accept = flow.bridged ? `iifname "${flow.iif}" oifname "${flow.oif}" accept` : `iifname "${flow.iif}" accept`;
      bad.push({
        status: 'fail',
        severity: 'critical',
        fixable: flow.bridged === true,
        evidence: { chain: c, flow, by },
        message: `nft chain ${c.family} ${c.table} ${c.name} (hook forward) drops ${what} (${by}); an accept in another table does not help: add ${accept} to that chain`,
      });
    }
    // bridge-family tables filter L2 frames whether or not br_netfilter is loaded.
    for (const b of existingVmBridges(f, vars)) {
      for (const c of base.filter((x) => x.family === 'bridge' && x.hook === 'forward')) {
        const v = walkNftChain(rs, c.family, c.table, c.name, { bridge: b, ct: 'new' });
        if (v.verdict === 'drop')
          bad.push({
            status: 'fail',
            severity: 'high',
            fixable: false,
            evidence: { chain: c, bridge: b, by: v.by },
            message: `nft bridge-family chain ${c.table} ${c.name} drops frames crossing ${b} (${v.by}): accept the VM bridge (meta ibrname "${b}" accept) or mark it intentional`,
          });
      }
    }
    const worst = bad.find((b) => b.severity === 'critical') ?? bad[0];
    if (worst) return bad.length > 1 ? { ...worst, message: `${worst.message} (+${bad.length - 1} more)` } : worst;
    const n = fwd.length + base.filter((c) => c.family === 'bridge').length;
    return pass(
      n === 0
        ? 'no nftables forward or bridge base chains (besides iptables-nft/libvirt ones)'
        : `${n} nftables forward/bridge base chain(s) let guest traffic through`,
    );
  },
});

export const hostInput = defineCheck({
  id: 'netfilter.host-input',
  group: 'netfilter',
  title: 'Host INPUT lets guests of libvirt NAT/isolated networks reach DHCP and DNS',
  severity: 'high',
  evaluate(f, vars) {
    const nets = need(f.libvirt).networks.filter((n) => n.active && n.bridge && isManagedNetwork(n) && n.ips.length > 0);
    if (nets.length === 0) return skipped('no active libvirt NAT/route/isolated network: guests do not use host DHCP/DNS');
    const dumps = iptDumps(f, 4);
    const rs = maybe(f.nft);
    const inputChains = (rs?.chains ?? []).filter(
      (c) =>
        c.hook === 'input' &&
        (c.family === 'ip' || c.family === 'inet') &&
        c.table !== 'libvirt_network' &&
        rs &&
        !isIptablesNftChain(f, rs, c),
    );
    const servicesOf = (n: (typeof nets)[number]): Array<[string, 'udp' | 'tcp', number]> => [
      ...(n.ips.some((i) => i.dhcp) ? [['DHCP', 'udp', 67] as [string, 'udp', number]] : []),
      ...(!n.dnsDisabled ? [['DNS', 'udp', 53] as [string, 'udp', number], ['DNS', 'tcp', 53] as [string, 'tcp', number]] : []),
    ];
    // A network that serves neither DHCP nor DNS has nothing for INPUT to block: say so, not "pass".
    const serving = nets.filter((n) => servicesOf(n).length > 0);
    if (serving.length === 0)
      return skipped(
        `${listing(nets.map((n) => n.name))} serve${nets.length === 1 ? 's' : ''} neither DHCP nor DNS from the host: nothing for INPUT to block`,
      );
    for (const n of serving) {
      const ip = n.ips.find((i) => i.family === 'ipv4');
      for (const [svc, proto, port] of servicesOf(n)) {
        const flow: Flow = { iif: n.bridge, proto, dport: port, ...(ip ? { daddr: ip.address } : {}), ct: 'new' };
        const verdicts = [
          ...dumps.map(({ backend, dump }) => ({ where: `${backend} INPUT`, v: walkIptables(dump, 'filter', 'INPUT', flow) })),
          ...(rs
            ? inputChains.map((c) => ({
                where: `nft ${c.family} ${c.table} ${c.name}`,
                v: walkNftChain(rs, c.family, c.table, c.name, flow),
              }))
            : []),
        ];
        const drop = verdicts.find((x) => x.v.verdict === 'drop');
        if (drop) {
          return {
            status: 'fail',
            evidence: { network: n.name, bridge: n.bridge, service: `${proto}/${port}`, where: drop.where, by: drop.v.by },
            fix: [
              `iptables -I INPUT -i ${shQuote(n.bridge ?? '')} -p ${proto} --dport ${port} -j ACCEPT`,
              "# or let libvirt recreate its rules (detaches running guests' taps: re-attach them after):",
              `virsh -c ${shQuote(vars.libvirtUri)} net-destroy ${shQuote(n.name)} && virsh -c ${shQuote(vars.libvirtUri)} net-start ${shQuote(n.name)}`,
            ].join('\n'),
            message: `${drop.where} drops ${proto}/${port} from ${n.bridge} (${drop.v.by}): guests of network ${n.name} get no ${svc}; accept it before the drop`,
          };
        }
      }
    }
    return pass(`DHCP/DNS from ${listing(serving.map((n) => n.bridge ?? n.name))} reach the host`);
  },
});
