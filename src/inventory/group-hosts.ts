/**
 * The hosts of a group in Ansible's order (Group.get_hosts): the group's own hosts, then its children's
 * (in order), then theirs, level by level, each host once. Ansible walks levels below the first through
 * a set, so its order there is arbitrary; here it is breadth-first in declaration order.
 */
import type { Inventory } from '../core/inventory.js';

const cache = new WeakMap<Inventory, Map<string, readonly string[]>>();

/** Host names of `group` and all its descendants, in Ansible's order (empty for an unknown group). */
export function groupHostNames(inv: Inventory, group: string): readonly string[] {
  let perInv = cache.get(inv);
  if (!perInv) {
    perInv = new Map();
    cache.set(inv, perInv);
  }
  const known = perInv.get(group);
  if (known) return known;

  const order: string[] = [group];
  const seenGroups = new Set(order);
  for (let i = 0; i < order.length; i++) {
    for (const child of inv.groups.get(order[i]!)?.children ?? []) {
      if (!seenGroups.has(child)) {
        seenGroups.add(child);
        order.push(child);
      }
    }
  }
  const seenHosts = new Set<string>();
  const out: string[] = [];
  for (const g of order) {
    for (const h of inv.groups.get(g)?.hosts ?? []) {
      if (!seenHosts.has(h)) {
        seenHosts.add(h);
        out.push(h);
      }
    }
  }
  perInv.set(group, out);
  return out;
}
