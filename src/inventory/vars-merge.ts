/**
 * Each host's merged vars, in ansible-core's default order (VARIABLE_PRECEDENCE, hash_behaviour=replace):
 *   inline `all` vars < inline vars of the host's other groups (sorted by depth, then
 *   ansible_group_priority, then name) < group_vars/all < group_vars/<group> (same order, per source)
 *   < inline host vars < host_vars/<host>.
 * Extra vars (-e) are applied later by whoever uses the host.
 */
import type { Vars } from '../core/inventory.js';
import type { GroupData, HostData, InventoryBuilder } from './builder.js';
import type { VarsFiles } from './vars-files.js';

export interface MergedVars {
  /** Per host: vars and its groups (`all` first, then in precedence order). */
  readonly hosts: Map<string, { vars: Vars; groups: string[] }>;
  /** Per group: inline vars, then group_vars/ files. */
  readonly groups: Map<string, Vars>;
}

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Ansible's sort_groups: depth, then priority, then name. */
export function sortGroups(groups: GroupData[]): GroupData[] {
  return groups.sort((a, b) => a.depth - b.depth || a.priority - b.priority || byCodePoint(a.name, b.name));
}

/** Loads group_vars/host_vars from each vars dir and merges every host's vars. */
export async function mergeVars(b: InventoryBuilder, varsDirs: readonly string[], files: VarsFiles): Promise<MergedVars> {
  const groupFiles = new Map<string, (Vars | undefined)[]>();
  await Promise.all(
    [...b.groups.keys()].map(async (g) => groupFiles.set(g, await Promise.all(varsDirs.map((d) => files.varsFor(d, 'group_vars', g))))),
  );
  const hostFiles = new Map<string, (Vars | undefined)[]>();
  await Promise.all(
    [...b.hosts.keys()].map(async (h) => hostFiles.set(h, await Promise.all(varsDirs.map((d) => files.varsFor(d, 'host_vars', h))))),
  );

  const groups = new Map<string, Vars>();
  for (const g of b.groups.values()) {
    const v: Vars = { ...g.vars };
    // Like `ansible-inventory --export`, show a non-default priority with the group's vars.
    if (g.priority !== 1) v.ansible_group_priority = g.priority;
    for (const f of groupFiles.get(g.name) ?? []) Object.assign(v, f);
    groups.set(g.name, v);
  }

  const all = b.groups.get('all')!;
  const hosts = new Map<string, { vars: Vars; groups: string[] }>();
  for (const h of b.hosts.values()) {
    const sorted = sortGroups([...b.hostGroups(h)].filter((n) => n !== 'all').map((n) => b.groups.get(n)!));
    hosts.set(h.name, { vars: hostVars(h, all, sorted, groupFiles, hostFiles.get(h.name) ?? [], varsDirs.length), groups: ['all', ...sorted.map((g) => g.name)] });
  }
  return { hosts, groups };
}

function hostVars(
  h: HostData,
  all: GroupData,
  sorted: GroupData[],
  groupFiles: Map<string, (Vars | undefined)[]>,
  hostFiles: (Vars | undefined)[],
  dirCount: number,
): Vars {
  const v: Vars = { ...all.vars };
  for (const g of sorted) Object.assign(v, g.vars);
  const allFiles = groupFiles.get('all') ?? [];
  for (let i = 0; i < dirCount; i++) Object.assign(v, allFiles[i]);
  // Per source directory, every group's files: a later -i directory wins over an earlier one.
  for (let i = 0; i < dirCount; i++) for (const g of sorted) Object.assign(v, groupFiles.get(g.name)?.[i]);
  Object.assign(v, h.vars);
  for (const f of hostFiles) Object.assign(v, f);
  return v;
}
