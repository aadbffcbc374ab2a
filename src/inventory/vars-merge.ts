/**
 * Each host's merged vars, in ansible-core's default order (VARIABLE_PRECEDENCE, hash_behaviour=replace):
 *   inline `all` vars < inline vars of the host's other groups (sorted by depth, then
 *   ansible_group_priority, then name) < group_vars/all < group_vars/<group> (same order, per source)
 *   < inline host vars < host_vars/<host>.
 * Extra vars (-e) are applied later by whoever uses the host.
 */
import type { Vars } from '../core/inventory.js';
import type { GroupData, InventoryBuilder } from './builder.js';
import type { VarsFiles } from './vars-files.js';

export interface MergedVars {
  /** Per host: vars and its groups (`all` first, then in precedence order). */
  readonly hosts: Map<string, { vars: Vars; groups: string[] }>;
  /** Per group: inline vars, then group_vars/ files. */
  readonly groups: Map<string, Vars>;
}

type PerDir = (Vars | undefined)[];

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Ansible's sort_groups: depth, then priority, then name. */
export function sortGroups(groups: GroupData[]): GroupData[] {
  return groups.sort((a, b) => a.depth - b.depth || a.priority - b.priority || byCodePoint(a.name, b.name));
}

/** Loads group_vars/host_vars from each vars dir and merges every host's vars. */
export async function mergeVars(b: InventoryBuilder, varsDirs: readonly string[], files: VarsFiles): Promise<MergedVars> {
  const groupFiles = new Map<string, PerDir>();
  await Promise.all(
    [...b.groups.keys()].map(async (g) => groupFiles.set(g, await Promise.all(varsDirs.map((d) => files.varsFor(d, 'group_vars', g))))),
  );
  const hostFiles = await loadHostFiles(b, varsDirs, files);

  const groups = new Map<string, Vars>();
  for (const g of b.groups.values()) {
    const v: Vars = { ...g.vars };
    // Like `ansible-inventory --export`, show a non-default priority with the group's vars.
    if (g.priority !== 1) v.ansible_group_priority = g.priority;
    for (const f of groupFiles.get(g.name) ?? []) Object.assign(v, f);
    groups.set(g.name, v);
  }

  // Hosts listed by the same groups share their groups' layer: compute it once per combination.
  const layers = new Map<string, { groups: string[]; vars: Vars }>();
  const hosts = new Map<string, { vars: Vars; groups: string[] }>();
  for (const h of b.hosts.values()) {
    const key = h.groups.join('\n');
    let layer = layers.get(key);
    if (!layer) {
      const sorted = sortGroups([...b.hostGroups(h)].filter((n) => n !== 'all').map((n) => b.groups.get(n)!));
      layer = {
        groups: ['all', ...sorted.map((g) => g.name)],
        vars: groupLayer(b.groups.get('all')!, sorted, groupFiles, varsDirs.length),
      };
      layers.set(key, layer);
    }
    const vars: Vars = { ...layer.vars, ...h.vars };
    for (const f of hostFiles.get(h.name) ?? []) Object.assign(vars, f);
    hosts.set(h.name, { vars, groups: layer.groups });
  }
  return { hosts, groups };
}

/** host_vars/ files, read only for hosts that have a candidate entry in some vars dir. */
async function loadHostFiles(b: InventoryBuilder, varsDirs: readonly string[], files: VarsFiles): Promise<Map<string, PerDir>> {
  const candidates = await Promise.all(varsDirs.map((d) => files.candidateNames(d, 'host_vars')));
  const out = new Map<string, PerDir>();
  const jobs: Promise<void>[] = [];
  for (const name of b.hosts.keys()) {
    if (!candidates.some((c) => c.has(name))) continue;
    jobs.push(
      Promise.all(varsDirs.map((d, i) => (candidates[i]!.has(name) ? files.varsFor(d, 'host_vars', name) : undefined))).then((perDir) => {
        out.set(name, perDir);
      }),
    );
  }
  await Promise.all(jobs);
  return out;
}

function groupLayer(all: GroupData, sorted: GroupData[], groupFiles: Map<string, PerDir>, dirCount: number): Vars {
  const v: Vars = { ...all.vars };
  for (const g of sorted) Object.assign(v, g.vars);
  const allFiles = groupFiles.get('all') ?? [];
  for (let i = 0; i < dirCount; i++) Object.assign(v, allFiles[i]);
  // Per source directory, every group's files: a later -i directory wins over an earlier one.
  for (let i = 0; i < dirCount; i++) for (const g of sorted) Object.assign(v, groupFiles.get(g.name)?.[i]);
  return v;
}
