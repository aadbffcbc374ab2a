/** Checks 15–16: forwarding for NAT/routed guests, reverse-path filtering on asymmetric hosts. */
import { defineCheck, pass, skipped } from './define.js';
import { defaultRoutes, linkMap, listing, resolveUplink, sysctlNum, vmBridges } from './model.js';
import { maybe, need } from './need.js';

export const ipForward = defineCheck({
  id: 'sysctl.ip-forward',
  group: 'sysctl',
  title: 'IP forwarding is on where guests are NATed or routed',
  severity: 'critical',
  fixId: 'ip-forward',
  evaluate(f, vars) {
    const lv = maybe(f.libvirt);
    const routed = (lv?.networks ?? []).filter(
      (n) => n.active && (n.forwardMode === 'nat' || n.forwardMode === 'route' || n.forwardMode === 'open'),
    );
    if (vars.vmNetworkMode !== 'nat' && routed.length === 0) {
      return skipped(
        `bridged-only host: guests are switched, not routed, so ip_forward is not needed${lv ? '' : ' (libvirt facts unavailable: NAT networks unknown)'}`,
      );
    }
    need(f.sysctls);
    const v4 = sysctlNum(f, 'net.ipv4.ip_forward');
    const v6 = sysctlNum(f, 'net.ipv6.conf.all.forwarding');
    const why = routed.length > 0 ? `network ${listing(routed.map((n) => `${n.name} (${n.forwardMode})`))}` : 'vmNetworkMode nat';
    const ev = { ipForward: v4 ?? null, ipv6Forwarding: v6 ?? null, networks: routed.map((n) => n.name) };
    if (v4 !== 1)
      return {
        status: 'fail',
        evidence: ev,
        message: `net.ipv4.ip_forward is ${v4 ?? 'unreadable'} but ${why} routes guest traffic: guests cannot leave the host; set it to 1`,
      };
    const six = routed.filter((n) => n.ips.some((i) => i.family === 'ipv6'));
    if (six.length > 0 && v6 !== 1) {
      return {
        status: 'fail',
        severity: 'high',
        evidence: ev,
        message: `net.ipv6.conf.all.forwarding is ${v6 ?? 'unreadable'} but network ${listing(six.map((n) => n.name))} routes IPv6: set it to 1 (accept_ra=2 on an RA-configured uplink)`,
      };
    }
    return pass(`ip_forward is on for ${why}`, ev);
  },
});

export const rpFilter = defineCheck({
  id: 'sysctl.rp-filter',
  group: 'sysctl',
  title: 'Strict reverse-path filtering is not used on an asymmetric or multi-homed host',
  severity: 'medium',
  fixId: 'rp-filter-loose',
  evaluate(f, vars) {
    need(f.sysctls);
    const links = linkMap(f);
    const all = sysctlNum(f, 'net.ipv4.conf.all.rp_filter') ?? 0;
    const uplink = resolveUplink(f, vars).name;
    const ifaces = [...new Set([...vmBridges(f, vars).map((r) => r.name), ...(uplink ? [uplink] : [])])].filter((n) => links.has(n));
    // The kernel uses max(conf/all, conf/<iface>).
    const effective = Object.fromEntries(ifaces.map((i) => [i, Math.max(all, sysctlNum(f, `net.ipv4.conf.${i}.rp_filter`) ?? 0)]));
    const strict = ifaces.filter((i) => effective[i] === 1);
    const reasons: string[] = [];
    const defaults = defaultRoutes(f);
    if (defaults.length > 1) reasons.push(`${defaults.length} default routes`);
    const otherTables = need(f.routes4).filter(
      (r) => r.dst === 'default' && r.table !== undefined && r.table !== 'main' && r.table !== 'local',
    );
    if (otherTables.length > 0) reasons.push(`default routes in table ${listing([...new Set(otherTables.map((r) => r.table ?? ''))])}`);
    const rules = (maybe(f.rules4) ?? []).filter((r) => ![0, 32766, 32767].includes(r.priority));
    if (rules.length > 0) reasons.push(`${rules.length} policy routing rule(s)`);
    const routedNets = (maybe(f.libvirt)?.networks ?? []).filter((n) => n.active && n.forwardMode === 'route');
    if (routedNets.length > 0) reasons.push(`routed network ${listing(routedNets.map((n) => n.name))}`);
    const ev = { all, effective, asymmetry: reasons };
    if (strict.length > 0 && reasons.length > 0) {
      return {
        status: 'fail',
        evidence: ev,
        message: `strict rp_filter (1) on ${listing(strict)} with ${listing(reasons)}: asymmetric replies are dropped silently; use loose mode (2)`,
      };
    }
    if (strict.length > 0)
      return pass(`rp_filter strict on ${listing(strict)} but routing is symmetric (one default route, no policy rules)`, ev);
    return pass(`rp_filter not strict on ${ifaces.length > 0 ? listing(ifaces) : 'the VM interfaces'}`, ev);
  },
});
