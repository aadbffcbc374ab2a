/**
 * Runtime fix generators: pure functions (fixId, facts, vars) → FixPlan of quoted shell commands.
 * They recompute what is wrong from the facts, so a plan for an already-healthy host is empty, and
 * every command is safe to re-run (guards, `replace`, `-C || -I`). Persistent config is not touched:
 * that is the template + safe-apply flow's job.
 */
import { FleetError } from '../core/errors.js';
import { shq } from '../facts/shq.js';
import type { HostFacts } from '../facts/types.js';
import { cmd, detachedIp, ipCmd, type FixPlan } from './fix-shell.js';
import { usedNetworks } from './libvirt-model.js';
import {
  defaultRoutes, expectedMtu, globalAddrs, linkMap, networkByName, nicBridge, portsOf,
  resolveUplink, sysctlNum, vmBridges,
} from './model.js';
import { maybe, need } from './need.js';
import { brNfDrops } from './netfilter-model.js';
import { resolveVars, type CheckVars, type ResolvedVars } from './vars.js';
import { unmetVlanNeeds } from './vlan-model.js';

export type { FixPlan } from './fix-shell.js';

/** The facts do not allow a safe plan (unknown fix, gateway unknown, facts missing…). One line. */
export class FixPlanError extends FleetError {
  constructor(message: string) {
    super(message, 'FLEET_FIX_UNPLANNABLE', 1);
    this.name = 'FixPlanError';
  }
}

type Planner = (f: HostFacts, v: ResolvedVars) => FixPlan;

const nothing = (what: string): FixPlan => ({ description: `nothing to do: ${what}`, commands: [] });

/** Gratuitous ARP so neighbours update their caches after an address/MAC move (iputils arping; optional). */
function announce(dev: string, ips: readonly string[]): string[] {
  return ips.map((ip) => `if command -v arping >/dev/null 2>&1; then arping -U -c 2 -I ${shq(dev)} ${shq(ip)} || true; fi`);
}

/** ip operations moving every global address (and the default route) of `ports` onto `bridge`. */
function moveToBridgeOps(f: HostFacts, bridge: string, ports: readonly string[]): { ops: string[][]; v4: string[] } {
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

const planners: Readonly<Record<string, Planner>> = {
  'bridge-create': (f, v) => {
    const links = linkMap(f);
    const missing = vmBridges(f, v).filter((r) => !r.managedByLibvirt && !links.has(r.name)).map((r) => r.name);
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
    const down = vmBridges(f, v).filter((r) => links.get(r.name)?.kind === 'bridge' && !links.get(r.name)?.up).map((r) => r.name);
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
    const enslave = [['link', 'set', 'dev', u.ifname, 'master', v.bridge], ['link', 'set', 'dev', u.ifname, 'up'], ['link', 'set', 'dev', v.bridge, 'up']];
    if (move.ops.length === 0) {
      return { description: `enslave ${u.ifname} to ${v.bridge}`, commands: enslave.map((op) => ipCmd(...op)) };
    }
    // The management address lives on the uplink: enslaving alone would cut the session off.
    return {
      description: `enslave ${u.ifname} to ${v.bridge} and move its addresses/default route to ${v.bridge} in one detached batch`,
      commands: [detachedIp([...enslave, ...move.ops], announce(v.bridge, move.v4), '/run/fleet-fix-uplink-enslave.log')],
      detached: true,
    };
  },

  'ip-to-bridge': (f) => {
    const links = linkMap(f);
    const byBridge = new Map<string, string[]>();
    const routes = maybe(f.routes4) ? defaultRoutes(f) : [];
    for (const l of links.values()) {
      if (!l.master || links.get(l.master)?.kind !== 'bridge') continue;
      if (globalAddrs(f, l.ifname).length > 0 || routes.some((r) => r.dev === l.ifname)) byBridge.set(l.master, [...(byBridge.get(l.master) ?? []), l.ifname]);
    }
    if (byBridge.size === 0) return nothing('no address or default route on a bridge port');
    const commands: string[] = [];
    for (const [br, ports] of byBridge) {
      const move = moveToBridgeOps(f, br, ports);
      commands.push(detachedIp([...move.ops, ['link', 'set', 'dev', br, 'up']], announce(br, move.v4), '/run/fleet-fix-ip-to-bridge.log'));
    }
    return { description: `move addresses and default route from ${[...byBridge.values()].flat().join(', ')} to ${[...byBridge.keys()].join(', ')} in one detached batch`, commands, detached: true };
  },

  'stp-off': (f, v) => {
    const links = linkMap(f);
    const on = vmBridges(f, v).flatMap((r) => ((links.get(r.name)?.bridge?.stpState ?? 0) !== 0 ? [r.name] : []));
    if (on.length === 0) return nothing('STP is off on VM bridges');
    // Order matters: forward_delay 0 is refused while STP is on.
    return {
      description: `turn STP off on ${on.join(', ')}, then forward_delay 0`,
      commands: on.flatMap((b) => [ipCmd('link', 'set', 'dev', b, 'type', 'bridge', 'stp_state', '0'), ipCmd('link', 'set', 'dev', b, 'type', 'bridge', 'forward_delay', '0')]),
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
      commands: unmet.map((n) => cmd('bridge', 'vlan', 'add', 'dev', n.port, 'vid', String(n.vlan), ...(n.access ? ['pvid', 'untagged'] : []))),
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
    const v4 = globalAddrs(f, v.bridge).filter((a) => a.family === 'inet').map((a) => a.local);
    return {
      description: `give ${v.bridge} ${u.ifname}'s MAC ${mac} (brief disruption; neighbours re-learn via gratuitous ARP)`,
      commands: [detachedIp([['link', 'set', 'dev', v.bridge, 'address', mac]], announce(v.bridge, v4), '/run/fleet-fix-bridge-mac.log')],
      detached: true,
    };
  },

  'link-up': (f, v) => {
    const up = resolveUplink(f, v);
    const u = up.name ? linkMap(f).get(up.name) : undefined;
    if (!u) throw new FixPlanError('uplink unknown or missing: set vars.uplink');
    if (u.up) return nothing(`${u.ifname} is administratively up`);
    return { description: `bring ${u.ifname} up`, commands: [ipCmd('link', 'set', 'dev', u.ifname, 'up')] };
  },

  'br-netfilter': (f, v) => {
    const { drops } = brNfDrops(f, v);
    if (drops.length === 0) return nothing('no iptables FORWARD drops bridged guest traffic');
    if (v.brNetfilterFix === 'sysctl') {
      const links = linkMap(f);
      const perBridge = [...new Set(drops.map((d) => d.bridge))].filter((b) => links.get(b)?.bridge?.nfCallIptables === 1 || links.get(b)?.bridge?.nfCallIp6tables === 1);
      return {
        description: 'stop br_netfilter from passing bridged frames to iptables (host does not filter bridged traffic)',
        commands: [
          cmd('sysctl', '-w', 'net.bridge.bridge-nf-call-iptables=0', 'net.bridge.bridge-nf-call-ip6tables=0', 'net.bridge.bridge-nf-call-arptables=0'),
          ...perBridge.map((b) => ipCmd('link', 'set', 'dev', b, 'type', 'bridge', 'nf_call_iptables', '0', 'nf_call_ip6tables', '0', 'nf_call_arptables', '0')),
        ],
      };
    }
    // Scoped to the VM bridge (-i X -o X), not physdev-is-bridged: that would also open docker0 and
    // defeat Docker's icc=false isolation. Docker evaluates DOCKER-USER first, so the rule goes there.
    const commands: string[] = [];
    const seen = new Set<string>();
    for (const d of drops) {
      const bin = d.backend;
      const dump = d.family === 4 ? (bin.endsWith('nft') ? f.iptables.v4nft : f.iptables.v4legacy) : bin.endsWith('nft') ? f.iptables.v6nft : f.iptables.v6legacy;
      const docker = dump.ok && dump.value.tables.some((t) => t.name === 'filter' && t.chains.some((c) => c.name === 'DOCKER-USER'));
      const chain = docker ? 'DOCKER-USER' : 'FORWARD';
      const key = `${bin}|${chain}|${d.bridge}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const rule = ['-i', d.bridge, '-o', d.bridge, '-j', 'ACCEPT'];
      commands.push(`${cmd(bin, '-C', chain, ...rule)} 2>/dev/null || ${cmd(bin, '-I', chain, ...rule)}`);
    }
    return { description: 'accept bridged VM traffic ahead of the FORWARD drop (not persistent: add it to the host firewall config)', commands };
  },

  'ip-forward': (f, v) => {
    need(f.sysctls);
    const routed = (maybe(f.libvirt)?.networks ?? []).filter((n) => n.active && (n.forwardMode === 'nat' || n.forwardMode === 'route' || n.forwardMode === 'open'));
    // Pure L2 bridging never needs forwarding: do not switch a bridged-only host into a router.
    if (v.vmNetworkMode !== 'nat' && routed.length === 0) return nothing('bridged-only host: forwarding not needed');
    const commands: string[] = [];
    if (sysctlNum(f, 'net.ipv4.ip_forward') !== 1) commands.push(cmd('sysctl', '-w', 'net.ipv4.ip_forward=1'));
    const six = routed.some((n) => n.ips.some((i) => i.family === 'ipv6'));
    if (six && sysctlNum(f, 'net.ipv6.conf.all.forwarding') !== 1) commands.push(cmd('sysctl', '-w', 'net.ipv6.conf.all.forwarding=1'));
    if (commands.length === 0) return nothing('forwarding already on');
    return { description: 'enable forwarding (note: writing ip_forward resets per-interface conf/* to router defaults)', commands };
  },

  'rp-filter-loose': (f, v) => {
    need(f.sysctls);
    const links = linkMap(f);
    const uplink = resolveUplink(f, v).name;
    const ifaces = [...new Set([...vmBridges(f, v).map((r) => r.name), ...(uplink ? [uplink] : [])])].filter((n) => links.has(n));
    const commands: string[] = [];
    if (sysctlNum(f, 'net.ipv4.conf.all.rp_filter') === 1) commands.push(cmd('sysctl', '-w', 'net.ipv4.conf.all.rp_filter=2'));
    // Written through /proc so interface names with dots or odd bytes need no sysctl-key escaping.
    for (const i of ifaces) if (sysctlNum(f, `net.ipv4.conf.${i}.rp_filter`) === 1) commands.push(`echo 2 > ${shq(`/proc/sys/net/ipv4/conf/${i}/rp_filter`)}`);
    if (commands.length === 0) return nothing('rp_filter not strict');
    return { description: 'switch reverse-path filtering to loose mode (2)', commands };
  },

  'default-route': (f, v) => {
    const links = linkMap(f);
    const routes = defaultRoutes(f);
    const current = routes[0];
    const dev = v.vmNetworkMode === 'bridge' && links.get(v.bridge)?.kind === 'bridge' ? v.bridge : current?.dev;
    if (current && current.dev === dev && !(current.dev && links.get(current.dev)?.master)) return nothing(`default route already via ${dev}`);
    const cfg = maybe(f.ifupdown);
    const configured = cfg?.ifaces.find((s) => s.name === dev && s.options['gateway'])?.options['gateway']?.[0];
    const gw = current?.gateway ?? configured;
    if (!gw || !dev) throw new FixPlanError('default gateway unknown (no current route, no ifupdown gateway): set it by hand');
    return {
      description: `route default via ${gw} dev ${dev} (detached: a wrong default route can cut the session)`,
      commands: [detachedIp([['route', 'replace', 'default', 'via', gw, 'dev', dev]], [], '/run/fleet-fix-default-route.log')],
      detached: true,
    };
  },

  'libvirt-net-start': (f, v) => {
    const virsh = (...w: string[]) => cmd('virsh', '-c', v.libvirtUri, ...w);
    const commands: string[] = [];
    for (const name of usedNetworks(f, v.vmNetworkMode === 'nat').keys()) {
      const n = networkByName(f, name);
      if (!n) continue;
      if (n.active === false) commands.push(virsh('net-start', name));
      if (n.autostart === false) commands.push(virsh('net-autostart', name));
    }
    if (commands.length === 0) return nothing('used libvirt networks are active and autostarted');
    return { description: 'start and autostart the libvirt networks guests use', commands };
  },

  'tap-attach': (f, v) => {
    const links = linkMap(f);
    const commands: string[] = [];
    for (const d of need(f.libvirt).domains.filter((x) => x.running)) {
      for (const nic of d.interfaces) {
        const br = nicBridge(f, nic);
        const tap = nic.targetDev ? links.get(nic.targetDev) : undefined;
        if (!br || !tap || tap.master === br || !links.has(br)) continue;
        commands.push(ipCmd('link', 'set', 'dev', tap.ifname, 'master', br), ipCmd('link', 'set', 'dev', tap.ifname, 'up'));
        // Re-enslaving gives the port only the default PVID: re-add its declared VLANs.
        if (links.get(br)?.bridge?.vlanFiltering === 1) {
          const e = v.vlans[tap.ifname];
          const access = e?.pvid ?? (nic.vlanTags?.length === 1 ? nic.vlanTags[0] : undefined);
          if (access !== undefined) commands.push(cmd('bridge', 'vlan', 'add', 'dev', tap.ifname, 'vid', String(access), 'pvid', 'untagged'));
          for (const t of e?.tagged ?? (nic.vlanTags && nic.vlanTags.length > 1 ? nic.vlanTags : [])) commands.push(cmd('bridge', 'vlan', 'add', 'dev', tap.ifname, 'vid', String(t)));
        }
      }
    }
    if (commands.length === 0) return nothing('running guests\' taps are attached (or missing: restart virtqemud/libvirtd)');
    return { description: 're-attach running guests\' taps to their bridges', commands };
  },

  'libvirt-link-up': (f, v) => {
    const commands: string[] = [];
    for (const d of need(f.libvirt).domains) {
      for (const nic of d.interfaces) {
        if (nic.linkState !== 'down' || !nic.mac) continue;
        const base = ['virsh', '-c', v.libvirtUri, 'domif-setlink', d.name, nic.mac, 'up'];
        if (d.running) commands.push(cmd(...(base as [string, ...string[]])));
        commands.push(cmd(...(base as [string, ...string[]]), '--config'));
      }
    }
    if (commands.length === 0) return nothing('no guest NIC is link-down');
    return { description: 'set guest NIC links up (live for running guests, and in the persistent config)', commands };
  },

  'load-modules': (f) => {
    const k = need(f.kernelModules);
    const mods: string[] = [];
    if (k.devices['/dev/net/tun'] !== 'char' && k.modules['tun'] !== 'absent') mods.push('tun');
    if (k.devices['/dev/vhost-net'] !== 'char' && k.modules['vhost_net'] !== 'absent') mods.push('vhost_net');
    if (mods.length === 0) return nothing('no loadable module missing (a missing /dev/kvm needs firmware VT-x/AMD-V or kvm_intel/kvm_amd by hand)');
    return { description: `load ${mods.join(', ')} (persist in /etc/modules-load.d/)`, commands: [cmd('modprobe', '-a', ...mods)] };
  },
};

/** Every fix id planFix understands. */
export const FIX_IDS: readonly string[] = Object.keys(planners);

/** The runtime fix for `fixId` on a host with these facts; throws FixPlanError when it cannot plan. */
export function planFix(fixId: string, facts: HostFacts, vars: CheckVars = {}): FixPlan {
  const planner = planners[fixId];
  if (!planner) throw new FixPlanError(`unknown fix id ${JSON.stringify(fixId)} (known: ${FIX_IDS.join(', ')})`);
  try {
    return planner(facts, resolveVars(vars));
  } catch (err) {
    if (err instanceof FixPlanError) throw err;
    throw new FixPlanError(`cannot plan ${fixId}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
