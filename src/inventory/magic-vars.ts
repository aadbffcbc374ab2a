/**
 * Ansible's per-host magic vars (inventory_hostname, group_names, groups, inventory_file …), computed
 * on demand: they are not part of Host.vars, just as ansible-inventory leaves them out of its output.
 */
import path from 'node:path';
import type { Host, Inventory, Vars } from '../core/inventory.js';
import { isIpAddress } from './address.js';
import { groupHostNames } from './group-hosts.js';

const groupsCache = new WeakMap<Inventory, Record<string, readonly string[]>>();

/** `groups`: every group name -> its hosts (with descendants), as templates see it. */
export function groupsMagicVar(inv: Inventory): Record<string, readonly string[]> {
  let g = groupsCache.get(inv);
  if (!g) {
    g = {};
    for (const name of inv.groups.keys()) g[name] = groupHostNames(inv, name);
    groupsCache.set(inv, g);
  }
  return g;
}

/** Magic vars of one host; `inventory_file`/`inventory_dir` when the inventory records them. */
export function hostMagicVars(inv: Inventory & { hostSources?: ReadonlyMap<string, string | undefined> }, host: Host): Vars {
  const file = inv.hostSources?.get(host.name);
  return {
    inventory_hostname: host.name,
    inventory_hostname_short: isIpAddress(host.name) ? host.name : host.name.split('.')[0],
    group_names: host.groups.filter((g) => g !== 'all').sort(),
    groups: groupsMagicVar(inv),
    inventory_file: file ?? null,
    inventory_dir: file ? path.dirname(file) : null,
  };
}
