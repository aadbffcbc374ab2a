/** Checks 24–25: guest MAC uniqueness on a host and across the fleet; cloned machine-ids and bridge MACs. */
import type { FleetCheckResult, Severity } from '../core/check.js';
import type { HostFacts } from '../facts/types.js';
import { defineCheck, defineFleetCheck, pass } from './define.js';
import { guestTargets, listing } from './model.js';
import { maybe, need } from './need.js';
import { resolveVars, type CheckVars } from './vars.js';

interface MacUse {
  readonly domain: string;
  readonly running: boolean;
  readonly mac: string;
  readonly bridge?: string;
}

function guestMacs(f: HostFacts): MacUse[] {
  return need(f.libvirt).domains.flatMap((d) =>
    d.interfaces.flatMap((i) =>
      i.mac
        ? [
            {
              domain: d.name,
              running: d.running,
              mac: i.mac,
              ...((i.sourceBridge ?? i.sourceNetwork) ? { bridge: i.sourceBridge ?? i.sourceNetwork } : {}),
            },
          ]
        : [],
    ),
  );
}

export const macDuplicateHost = defineCheck({
  id: 'mac.duplicate-host',
  group: 'mac',
  title: 'Guest MACs are unique on the host, not 0xFE-prefixed, and not a host NIC MAC',
  severity: 'high',
  evaluate(f) {
    const uses = guestMacs(f);
    const byMac = new Map<string, MacUse[]>();
    for (const u of uses) byMac.set(u.mac, [...(byMac.get(u.mac) ?? []), u]);
    const dup = [...byMac.values()].find((us) => us.length > 1);
    if (dup) {
      const bothRunning = dup.filter((u) => u.running).length > 1;
      return {
        status: 'fail',
        severity: bothRunning ? 'critical' : 'high',
        evidence: { mac: dup[0]?.mac, uses: dup },
        fix: 'give one guest a new MAC: virsh edit <domain>, delete the <mac> line (libvirt generates 52:54:00:…), restart it; update DHCP reservations',
        message: `MAC ${dup[0]?.mac} is used by ${listing(dup.map((u) => u.domain))}${bothRunning ? ' (both running: the bridge FDB flaps)' : ''}: give one a new MAC`,
      };
    }
    const fe = uses.find((u) => u.mac.startsWith('fe:'));
    if (fe)
      return {
        status: 'fail',
        evidence: fe,
        message: `guest ${fe.domain} uses MAC ${fe.mac}: 0xFE-prefixed MACs are reserved for host taps (libvirt refuses them / the bridge sees its own address); pick a 52:54:00 MAC`,
      };
    // Host-side MACs, minus guest taps (which carry fe:… copies of the guest MAC on purpose).
    const links = maybe(f.links) ?? [];
    const taps = guestTargets(f);
    const hostMacs = new Map<string, string[]>();
    for (const l of links) {
      if (!l.address || taps.has(l.ifname) || l.address === '00:00:00:00:00:00') continue;
      hostMacs.set(l.address, [...(hostMacs.get(l.address) ?? []), l.ifname]);
    }
    const clash = uses.find((u) => hostMacs.has(u.mac));
    if (clash) {
      const owners = hostMacs.get(clash.mac) ?? [];
      return {
        status: 'fail',
        evidence: { ...clash, hostInterfaces: owners },
        message: `guest ${clash.domain} uses MAC ${clash.mac}, the MAC of host interface ${listing(owners)}: the bridge drops its frames as its own; pick a new MAC`,
      };
    }
    return pass(`${uses.length} guest MAC(s), all unique and valid`);
  },
});

interface Dup {
  readonly kind: 'guest-mac' | 'bridge-mac' | 'machine-id';
  readonly value: string;
  readonly hosts: string[];
  readonly severity: Severity;
  readonly where: string[];
}

const RANK: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

export const fleetDuplicateMac = defineFleetCheck({
  id: 'fleet.duplicate-mac',
  group: 'mac',
  title: 'No guest MAC, bridge MAC or machine-id shared by hosts on the same L2',
  severity: 'high',
  uses: ['libvirt', 'machineId', 'links'],
  run(all, varsByHost = new Map<string, CheckVars>()) {
    const segment = (h: string) => resolveVars(varsByHost.get(h)).l2Segment ?? '';
    const unevaluated: string[] = [];
    const groups = new Map<string, { kind: Dup['kind']; value: string; seg: string; uses: Array<{ host: string; where: string }> }>();
    const add = (kind: Dup['kind'], value: string, seg: string, host: string, where: string) => {
      const key = `${kind}|${seg}|${value}`;
      const g = groups.get(key) ?? { kind, value, seg, uses: [] };
      g.uses.push({ host, where });
      groups.set(key, g);
    };
    for (const [host, f] of all) {
      const seg = segment(host);
      if (f.libvirt.ok) for (const u of guestMacs(f)) add('guest-mac', u.mac, seg, host, u.domain);
      else unevaluated.push(host);
      if (f.machineId.ok) add('machine-id', f.machineId.value, '', host, 'machine-id');
      const br = resolveVars(varsByHost.get(host)).bridge;
      const mac = maybe(f.links)?.find((l) => l.ifname === br)?.address;
      if (mac) add('bridge-mac', mac, seg, host, br);
    }
    const dups: Dup[] = [];
    for (const g of groups.values()) {
      const hosts = [...new Set(g.uses.map((u) => u.host))];
      if (hosts.length < 2) continue;
      dups.push({
        kind: g.kind,
        value: g.value,
        hosts,
        severity: g.kind === 'machine-id' ? 'medium' : 'high',
        where: g.uses.map((u) => `${u.where}@${u.host}`),
      });
    }
    dups.sort((a, b) => RANK.indexOf(a.severity) - RANK.indexOf(b.severity));
    const first = dups[0];
    const base = { id: 'fleet.duplicate-mac', evidence: { duplicates: dups, notEvaluated: unevaluated } };
    if (!first) {
      if (all.size > 0 && unevaluated.length === all.size) {
        return {
          ...base,
          status: 'error',
          severity: 'high',
          hosts: [...all.keys()],
          message: 'no host had libvirt facts: guest MACs could not be compared',
        } satisfies FleetCheckResult;
      }
      return {
        ...base,
        status: 'pass',
        severity: 'high',
        hosts: [],
        message: `no duplicate guest MAC, bridge MAC or machine-id across ${all.size} host(s)${unevaluated.length ? ` (${unevaluated.length} without libvirt facts)` : ''}`,
      };
    }
    const what =
      first.kind === 'guest-mac'
        ? `guest MAC ${first.value}`
        : first.kind === 'bridge-mac'
          ? `bridge MAC ${first.value}`
          : `machine-id ${first.value}`;
    const todo =
      first.kind === 'guest-mac'
        ? 'give all but one guest a new MAC'
        : first.kind === 'bridge-mac'
          ? 'set explicit bridge MACs (e.g. the uplink NIC MAC)'
          : 'regenerate it (rm /etc/machine-id; systemd-machine-id-setup; plan a reboot)';
    return {
      ...base,
      status: 'fail',
      severity: first.severity,
      hosts: [...new Set(dups.flatMap((d) => d.hosts))],
      message: `${what} is used by ${listing(first.where)}${dups.length > 1 ? ` (+${dups.length - 1} more duplicates)` : ''}: ${todo}`,
    };
  },
});
