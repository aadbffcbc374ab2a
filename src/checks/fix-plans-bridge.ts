/** Runtime fixes for the VM bridge itself: existence, state, uplink, addresses, STP, MTU, VLANs, MAC. */
import type { HostFacts } from '../facts/types.js';
import { announce, cmd, ipOps, FixPlanError, ipCmd, nothing, type Planner } from './fix-shell.js';
import { defaultRoutes, expectedMtu, globalAddrs, linkMap, portsOf, resolveUplink, vmBridges } from './model.js';
import { maybe } from './need.js';
import { unmetVlanNeeds } from './vlan-model.js';

/** ip operations moving every global address (and the default route) of `ports` onto `bridge`. */
export function moveToBridgeOps(f: HostFacts, bridge: string, ports: readonly string[]): { ops: string[][]; v4: string[] } {
  const ops: string[][] = [];
  const v4: string[] = [];
  for (const p of ports) {
    const addrs = globalAddrs(f, p);
    if (addrs.length === 0) continue;
    ops.push(['address', 'flush', 'dev', p, 'scope', 'global']);
    for (const a of addrs) {
      ops.push(['address', 'replace', `${a.local}/${a.prefixlen}`, 'dev', bridge]);
      if (a.family === 'inet') v4.push(a.local);
    }
  }
  const viaPort = maybe(f.routes4) ? defaultRoutes(f).find((r) => r.dev !== undefined && ports.includes(r.dev)) : undefined;
  if (viaPort?.gateway) ops.push(['route', 'replace', 'default', 'via', viaPort.gateway, 'dev', bridge]);
  return { ops, v4 };
}

/** Planners by fix id. */
export const BRIDGE_PLANNERS: Readonly<Record<string, Planner>> = {
  'bridge-create': (f, v) => {
    const links = linkMap(f);
    const missing = vmBridges(f, v)
      .filter((r) => !r.managedByLibvirt && !links.has(r.name))
      .map((r) => r.name);
    if (missing.length === 0) return nothing('every VM bridge exists');
    return {
      description: `create ${missing.join(', ')} (STP off) and bring it up; it has no uplink until the persistent config is applied`,
      commands: missing.flatMap((b) => [
        `${ipCmd('link', 'show', 'dev', b)} >/dev/null 2>&1 || ${ipCmd('link', 'add', 'name', b, 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0')}`,
        ipCmd('link', 'set', 'dev', b, 'up'),
      ]),
    };
  },

  'bridge-up': (f, v) => {
    const links = linkMap(f);
    const down = vmBridges(f, v)
      .filter((r) => links.get(r.name)?.kind === 'bridge' && !links.get(r.name)?.up)
      .map((r) => r.name);
    if (down.length === 0) return nothing('VM bridges are up');
    return { description: `bring ${down.join(', ')} up`, commands: down.map((b) => ipCmd('link', 'set', 'dev', b, 'up')) };
  },

  'uplink-enslave': (f, v) => {
    const links = linkMap(f);
    const up = resolveUplink(f, v);
    const u = up.name ? links.get(up.name) : undefined;
    if (!u || !up.name) throw new FixPlanError(`uplink of ${v.bridge} unknown or missing: set vars.uplink`);
    if (!links.has(v.bridge)) throw new FixPlanError(`bridge ${v.bridge} does not exist`);
    if (u.master === v.bridge) return nothing(`${u.ifname} is already a port of ${v.bridge}`);
    const move = moveToBridgeOps(f, v.bridge, [u.ifname]);
    const enslave = [
      ['link', 'set', 'dev', u.ifname, 'master', v.bridge],
      ['link', 'set', 'dev', u.ifname, 'up'],
      ['link', 'set', 'dev', v.bridge, 'up'],
    ];
    if (move.ops.length === 0) {
      return { description: `enslave ${u.ifname} to ${v.bridge}`, commands: enslave.map((op) => ipCmd(...op)) };
    }
    // The management address lives on the uplink: enslaving alone would cut the session off.
    return {
      description: `enslave ${u.ifname} to ${v.bridge} and move its addresses/default route to ${v.bridge} in one detached batch`,
      commands: [ipOps([...enslave, ...move.ops], announce(v.bridge, move.v4))],
      detached: true,
    };
  },

  'ip-to-bridge': (f) => {
    const links = linkMap(f);
    const byBridge = new Map<string, string[]>();
    const routes = maybe(f.routes4) ? defaultRoutes(f) : [];
    for (const l of links.values()) {
      if (!l.master || links.get(l.master)?.kind !== 'bridge') continue;
      if (globalAddrs(f, l.ifname).length > 0 || routes.some((r) => r.dev === l.ifname))
        byBridge.set(l.master, [...(byBridge.get(l.master) ?? []), l.ifname]);
    }
    if (byBridge.size === 0) return nothing('no address or default route on a bridge port');
    const commands: string[] = [];
    for (const [br, ports] of byBridge) {
      const move = moveToBridgeOps(f, br, ports);
      commands.push(ipOps([...move.ops, ['link', 'set', 'dev', br, 'up']], announce(br, move.v4)));
    }
    return {
      description: `move addresses and default route from ${[...byBridge.values()].flat().join(', ')} to ${[...byBridge.keys()].join(', ')} in one detached batch`,
      commands,
      detached: true,
    };
  },

  'stp-off': (f, v) => {
    const links = linkMap(f);
    const on = vmBridges(f, v).flatMap((r) => ((links.get(r.name)?.bridge?.stpState ?? 0) !== 0 ? [r.name] : []));
    if (on.length === 0) return nothing('STP is off on VM bridges');
    // Order matters: forward_delay 0 is refused while STP is on.
    return {
      description: `turn STP off on ${on.join(', ')}, then forward_delay 0`,
      commands: on.flatMap((b) => [
        ipCmd('link', 'set', 'dev', b, 'type', 'bridge', 'stp_state', '0'),
        ipCmd('link', 'set', 'dev', b, 'type', 'bridge', 'forward_delay', '0'),
      ]),
    };
  },

  mtu: (f, v) => {
    const links = linkMap(f);
    const commands: string[] = [];
    for (const ref of vmBridges(f, v)) {
      const br = links.get(ref.name);
      if (!br?.bridge) continue;
      const exp = expectedMtu(f, v, ref, links);
      // Raise ports first, then the bridge (the bridge follows the smallest port otherwise).
      const ports = portsOf(links, ref.name).filter((p) => p.mtu < exp.mtu || (exp.explicit && p.mtu !== exp.mtu));
      for (const p of ports) commands.push(ipCmd('link', 'set', 'dev', p.ifname, 'mtu', String(exp.mtu)));
      if (ports.length > 0 || br.mtu !== exp.mtu) commands.push(ipCmd('link', 'set', 'dev', ref.name, 'mtu', String(exp.mtu)));
    }
    if (commands.length === 0) return nothing('MTUs already match');
    return { description: 'set the expected MTU on ports, then on the bridge', commands };
  },

  'vlan-membership': (f, v) => {
    const unmet = unmetVlanNeeds(f, v);
    if (unmet.length === 0) return nothing('VLAN membership as expected');
    return {
      description: `add ${unmet.length} missing VLAN membership(s) on ${v.bridge}`,
      commands: unmet.map((n) =>
        cmd('bridge', 'vlan', 'add', 'dev', n.port, 'vid', String(n.vlan), ...(n.access ? ['pvid', 'untagged'] : [])),
      ),
    };
  },

  'bridge-mac': (f, v) => {
    const links = linkMap(f);
    const up = resolveUplink(f, v);
    const u = up.name ? links.get(up.name) : undefined;
    const mac = u?.permaddr ?? u?.address;
    const br = links.get(v.bridge);
    if (!u || !mac || !br) throw new FixPlanError(`uplink or bridge ${v.bridge} unknown: set vars.uplink`);
    if (br.address === mac) return nothing(`${v.bridge} already uses ${mac}`);
    const v4 = globalAddrs(f, v.bridge)
      .filter((a) => a.family === 'inet')
      .map((a) => a.local);
    return {
      description: `give ${v.bridge} ${u.ifname}'s MAC ${mac} (brief disruption; neighbours re-learn via gratuitous ARP)`,
      commands: [ipOps([['link', 'set', 'dev', v.bridge, 'address', mac]], announce(v.bridge, v4))],
      detached: true,
    };
  },

  'tap-up': (f, v) => {
    const links = linkMap(f);
    const running = new Set(
      (maybe(f.libvirt)?.domains ?? []).filter((d) => d.running).flatMap((d) => d.interfaces.flatMap((i) => i.targetDev ?? [])),
    );
    // Only on bridges that are up: an admin-down bridge disables every port, and bridge-up fixes that.
    const down = vmBridges(f, v)
      .filter((r) => links.get(r.name)?.up)
      .flatMap((r) => portsOf(links, r.name))
      .filter((p) => running.has(p.ifname) && !p.up)
      .map((p) => p.ifname);
    if (down.length === 0) return nothing("running guests' taps are administratively up");
    return {
      description: `bring ${down.join(', ')} up (running guests' taps)`,
      commands: down.map((t) => ipCmd('link', 'set', 'dev', t, 'up')),
    };
  },

  'link-up': (f, v) => {
    const up = resolveUplink(f, v);
    const u = up.name ? linkMap(f).get(up.name) : undefined;
    if (!u) throw new FixPlanError('uplink unknown or missing: set vars.uplink');
    if (u.up) return nothing(`${u.ifname} is administratively up`);
    return { description: `bring ${u.ifname} up`, commands: [ipCmd('link', 'set', 'dev', u.ifname, 'up')] };
  },
};
