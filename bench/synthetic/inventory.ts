/**
 * An Ansible inventory for N synthetic hosts, shaped like a real estate: data centres of racks of
 * 40 hosts, racks grouped in clusters of 8, connection and layout vars in group_vars/ (all, per dc).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SyntheticHost } from './protocol.js';

export const RACK_SIZE = 40;
const RACKS_PER_CLUSTER = 8;
const DC_COUNT = 4;

export interface InventoryFiles {
  readonly dir: string;
  readonly keyPath: string;
}

/** Where a host sits: dc, rack, cluster (group names). */
export function placement(index: number, total: number): { dc: string; rack: string; cluster: string } {
  const racks = Math.ceil(total / RACK_SIZE);
  const rack = Math.floor(index / RACK_SIZE);
  const dc = Math.min(DC_COUNT - 1, Math.floor((rack * DC_COUNT) / Math.max(racks, 1)));
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  return {
    dc: `dc${dc + 1}`,
    rack: `dc${dc + 1}_rack${pad(rack + 1, 3)}`,
    cluster: `dc${dc + 1}_cluster${pad(Math.floor(rack / RACKS_PER_CLUSTER) + 1, 2)}`,
  };
}

/** Writes <dir>/hosts (INI; no extension: Ansible skips .ini files in an inventory directory) and <dir>/group_vars/; returns the inventory path (the directory). */
export function writeInventory(hosts: readonly SyntheticHost[], files: InventoryFiles): string {
  const racks = new Map<string, SyntheticHost[]>();
  const clusters = new Map<string, Set<string>>();
  const dcs = new Map<string, Set<string>>();
  for (const h of hosts) {
    const p = placement(h.index, hosts.length);
    racks.set(p.rack, [...(racks.get(p.rack) ?? []), h]);
    clusters.set(p.cluster, (clusters.get(p.cluster) ?? new Set()).add(p.rack));
    dcs.set(p.dc, (dcs.get(p.dc) ?? new Set()).add(p.cluster));
  }
  const lines = [`# ${hosts.length} synthetic hypervisors (bench/synthetic). Regenerated on every start.`];
  for (const [rack, hs] of racks) {
    lines.push('', `[${rack}]`, ...hs.map((h) => `${h.name} ansible_host=${h.address}`));
  }
  for (const [cluster, rs] of clusters) lines.push('', `[${cluster}:children]`, ...rs);
  for (const [dc, cs] of dcs) lines.push('', `[${dc}:children]`, ...cs);
  lines.push('', '[hypervisors:children]', ...dcs.keys(), '');
  mkdirSync(path.join(files.dir, 'group_vars'), { recursive: true });
  writeFileSync(path.join(files.dir, 'hosts'), lines.join('\n'));
  const port = hosts[0]?.port ?? 22;
  writeFileSync(
    path.join(files.dir, 'group_vars', 'all.yml'),
    [
      'ansible_user: root',
      `ansible_port: ${port}`,
      `ansible_ssh_private_key_file: ${files.keyPath}`,
      // The recordings' layout (test/fleet HOST_LAYOUT).
      'bridge: br1',
      'uplink: eth1',
      'vm_network_mode: bridge',
      '',
    ].join('\n'),
  );
  for (const dc of dcs.keys()) writeFileSync(path.join(files.dir, 'group_vars', `${dc}.yml`), `l2_segment: ${dc}-vmlan\n`);
  return files.dir;
}
