/**
 * Checks 17–18: address conflicts (passively) and the default gateway.
 *
 * arp.duplicate-ip only sees what a read-only snapshot shows: the same address on two local
 * interfaces, a guest MAC answering for the gateway, and ARP-flux-prone sysctls on multi-homed
 * subnets. Another station on the LAN that owns the host's or a guest's IP is NOT visible without an
 * active DAD probe (iputils `arping -D -I <br> <ip>`, rc 1 = duplicate), which the facts never send.
 */
import { defineCheck, pass, type Finding } from './define.js';
import { cidrContains, defaultRoutes, globalAddrs, linkMap, listing, sysctlNum } from './model.js';
import { maybe, need } from './need.js';

export const arpDuplicateIp = defineCheck({
  id: 'arp.duplicate-ip',
  group: 'arp',
  title: 'No address conflict visible from the host (passive: no DAD probe is sent)',
  severity: 'high',
  evaluate(f) {
    const links = linkMap(f);
    const addrs = globalAddrs(f).filter((a) => a.family === 'inet');
    const byIp = new Map<string, string[]>();
    for (const a of addrs) byIp.set(a.local, [...(byIp.get(a.local) ?? []), a.ifname]);
    const twice = [...byIp.entries()].find(([, ifs]) => new Set(ifs).size > 1);
    if (twice) {
      return {
        status: 'fail',
        evidence: { address: twice[0], interfaces: twice[1] },
        message: `${twice[0]} is configured on ${listing(twice[1])}: both answer ARP for it; keep it on one interface (the bridge)`,
      };
    }
    const gw = maybe(f.routes4) ? defaultRoutes(f)[0]?.gateway : undefined;
    const guestMacs = new Map(
      (maybe(f.libvirt)?.domains ?? []).flatMap((d) => d.interfaces.flatMap((i) => (i.mac ? [[i.mac, d.name] as const] : []))),
    );
    const squat = gw ? need(f.neigh).find((n) => n.dst === gw && n.lladdr && guestMacs.has(n.lladdr)) : undefined;
    if (squat?.lladdr) {
      return {
        status: 'fail',
        severity: 'critical',
        evidence: { gateway: gw, lladdr: squat.lladdr, guest: guestMacs.get(squat.lladdr) },
        message: `the gateway ${gw} resolves to ${squat.lladdr}, the MAC of guest ${guestMacs.get(squat.lladdr)}: that guest claims the gateway address; re-address it`,
      };
    }
    // ARP flux: two non-port interfaces in one IPv4 subnet answer for each other's addresses.
    const hosts = addrs.filter((a) => !links.get(a.ifname)?.master);
    const flux: Finding[] = [];
    for (let i = 0; i < hosts.length; i++) {
      for (let j = i + 1; j < hosts.length; j++) {
        const a = hosts[i];
        const b = hosts[j];
        if (!a || !b || a.ifname === b.ifname || !cidrContains(`${a.local}/${a.prefixlen}`, b.local)) continue;
        const eff = (key: string, ifname: string) =>
          Math.max(sysctlNum(f, `net.ipv4.conf.all.${key}`) ?? 0, sysctlNum(f, `net.ipv4.conf.${ifname}.${key}`) ?? 0);
        const loose = [a.ifname, b.ifname].every(
          (n) => eff('arp_ignore', n) === 0 && eff('arp_announce', n) === 0 && eff('arp_filter', n) === 0,
        );
        if (loose)
          flux.push({
            status: 'warn',
            severity: 'low',
            evidence: { interfaces: [a.ifname, b.ifname], subnet: `${a.local}/${a.prefixlen}` },
            message: `${a.ifname} and ${b.ifname} share subnet ${a.local}/${a.prefixlen} with arp_ignore=0/arp_announce=0: each answers ARP for the other (ARP flux); set arp_ignore=1, arp_announce=2`,
          });
      }
    }
    if (flux[0]) return flux[0];
    return pass('no conflict visible passively (a remote owner of a host/guest IP needs an active DAD probe, not run)', {
      checkedAddresses: addrs.map((a) => `${a.ifname} ${a.local}`),
    });
  },
});

export const routeDefaultGateway = defineCheck({
  id: 'route.default-gateway',
  group: 'route',
  title: 'Exactly one IPv4 default route, not via a bridge port, gateway resolvable',
  severity: 'critical',
  fixId: 'default-route',
  evaluate(f) {
    const links = linkMap(f);
    const defaults = defaultRoutes(f);
    const ev = { defaults };
    if (defaults.length === 0)
      return {
        status: 'fail',
        evidence: ev,
        message: 'no IPv4 default route: the host cannot reach beyond its own subnets; add one via the bridge',
      };
    const viaPort = defaults.find((r) => r.dev && links.get(r.dev)?.master);
    if (viaPort?.dev) {
      return {
        status: 'fail',
        evidence: ev,
        message: `the default route uses ${viaPort.dev}, a port of ${links.get(viaPort.dev)?.master}: route via the bridge instead (see bridge.ip-on-port)`,
      };
    }
    const metrics = defaults.map((r) => r.metric ?? 0);
    const dup = metrics.find((m, i) => metrics.indexOf(m) !== i);
    if (dup !== undefined) {
      return {
        status: 'warn',
        severity: 'medium',
        fixable: false,
        evidence: ev,
        message: `${defaults.length} default routes share metric ${dup} (${listing(defaults.map((r) => `via ${r.gateway ?? '-'} dev ${r.dev ?? '-'}`))}): the path flips; keep one or give them different metrics`,
      };
    }
    const gw = defaults[0]?.gateway;
    const dev = defaults[0]?.dev;
    if (!gw) return pass(`default route via ${dev ?? '?'} (no gateway: on-link/point-to-point)`, ev);
    const n = need(f.neigh).find((x) => x.dst === gw && (!dev || x.dev === dev));
    if (n?.state.includes('FAILED')) {
      return {
        status: 'fail',
        fixable: false,
        evidence: { ...ev, neighbour: n },
        message: `gateway ${gw} on ${dev ?? n.dev} does not answer ARP (neighbour FAILED): check the uplink/VLAN or the gateway address`,
      };
    }
    if (n?.state.includes('INCOMPLETE')) {
      return {
        status: 'warn',
        severity: 'high',
        fixable: false,
        evidence: { ...ev, neighbour: n },
        message: `gateway ${gw} on ${dev ?? n.dev} is still unresolved (neighbour INCOMPLETE): if it stays so, the uplink/VLAN is broken`,
      };
    }
    const seen = n ? `gateway ${gw} resolved (${n.state.join(',')})` : `gateway ${gw} not in the neighbour cache (not verified)`;
    return pass(`default route via ${gw} dev ${dev ?? '?'}; ${seen}`, { ...ev, neighbour: n ?? null });
  },
});
