/** VLAN expectations on the VM bridge and which of them the bridge does not meet. */
import type { HostFacts, VlanEntry } from '../facts/types.js';
import { nicBridge, resolveUplink } from './model.js';
import { maybe, need } from './need.js';
import type { ResolvedVars } from './vars.js';

/** One VLAN a port must carry; `access` = PVID + egress untagged. */
export interface VlanNeed {
  readonly port: string;
  readonly vlan: number;
  readonly access: boolean;
  readonly why: string;
}

/** Every VLAN membership the inventory and the running guests ask for on the VM bridge. */
export function vlanNeeds(f: HostFacts, vars: ResolvedVars): VlanNeed[] {
  const needs: VlanNeed[] = [];
  for (const [port, e] of Object.entries(vars.vlans)) {
    if (e.pvid !== undefined) needs.push({ port, vlan: e.pvid, access: true, why: 'vars.vlans' });
    for (const t of e.tagged ?? []) needs.push({ port, vlan: t, access: false, why: 'vars.vlans' });
  }
  const guestVlans = new Set<number>();
  for (const d of maybe(f.libvirt)?.domains ?? []) {
    if (!d.running) continue;
    for (const nic of d.interfaces) {
      if (!nic.vlanTags || !nic.targetDev || nicBridge(f, nic) !== vars.bridge) continue;
      const access = nic.vlanTags.length === 1;
      for (const v of nic.vlanTags) {
        if (!needs.some((n) => n.port === nic.targetDev && n.vlan === v))
          needs.push({ port: nic.targetDev, vlan: v, access, why: `guest ${d.name}` });
        guestVlans.add(v);
      }
    }
  }
  // The uplink must carry every guest VLAN (tagged, unless inventory says otherwise for it).
  const uplink = resolveUplink(f, vars).name;
  if (uplink)
    for (const v of guestVlans)
      if (!needs.some((n) => n.port === uplink && n.vlan === v))
        needs.push({ port: uplink, vlan: v, access: false, why: 'guest VLAN on the uplink' });
  return needs;
}

function carries(entries: readonly VlanEntry[], vlan: number): VlanEntry | undefined {
  return entries.find((e) => vlan >= e.vlan && vlan <= (e.vlanEnd ?? e.vlan));
}

/** The needs the bridge does not meet (computed from facts; used by the check and its fix). */
export function unmetVlanNeeds(f: HostFacts, vars: ResolvedVars): VlanNeed[] {
  const table = new Map(need(f.bridgeVlans).map((p) => [p.ifname, p.vlans]));
  return vlanNeeds(f, vars).filter((n) => {
    const e = carries(table.get(n.port) ?? [], n.vlan);
    if (!e) return true;
    return n.access ? !(e.pvid && e.untagged) : false;
  });
}
