/** `-i hv1,hv2:2222,` — Ansible's `host_list` source: comma-separated hosts, added to `ungrouped`. */
import { parseAddress } from './address.js';
import type { InventoryOp } from './ops.js';

/** True when an -i value is a host list rather than a path (it has a comma and no such file exists). */
export function looksLikeHostList(value: string, exists: boolean): boolean {
  return !exists && value.includes(',');
}

/** Steps for a host list; names are taken as written (no ranges), an optional `:port` is split off. */
export function parseHostList(value: string): InventoryOp[] {
  const ops: InventoryOp[] = [];
  const loc = { file: `-i ${value}` };
  for (const raw of value.split(',')) {
    const h = raw.trim();
    if (!h) continue;
    const parsed = parseAddress(h, false);
    ops.push({ op: 'host', name: parsed ? parsed.host : h, group: 'ungrouped', port: parsed?.port, onlyIfNew: true, loc });
  }
  return ops;
}
