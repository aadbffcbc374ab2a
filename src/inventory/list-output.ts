/**
 * The views of `ansible-inventory` (ansible-core 2.14): `--list` (groups with hosts/children, every
 * host's merged vars under _meta.hostvars, no group vars), `--host` and `--graph`.
 */
import { InventoryError } from '../core/errors.js';
import type { Host, Inventory, Vars } from '../core/inventory.js';
import { selectHosts } from './patterns.js';
import { maskSecretVars } from './secrets.js';

/** Magic and run-time vars ansible-inventory drops from its output. */
const INTERNAL_VARS = new Set([
  'ansible_diff_mode',
  'ansible_config_file',
  'ansible_facts',
  'ansible_forks',
  'ansible_inventory_sources',
  'ansible_limit',
  'ansible_playbook_python',
  'ansible_run_tags',
  'ansible_skip_tags',
  'ansible_verbosity',
  'ansible_version',
  'inventory_dir',
  'inventory_file',
  'inventory_hostname',
  'inventory_hostname_short',
  'groups',
  'group_names',
  'omit',
  'playbook_dir',
]);

export interface OutputOptions {
  /** Replace secret values with "********" (default true). */
  readonly maskSecrets?: boolean;
  /** -e vars, which ansible-inventory also shows in every host's vars. */
  readonly extraVars?: Vars;
}

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Deep copy with object keys sorted, like json.dumps(sort_keys=True). */
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort(byCodePoint)) out[k] = sortKeys((v as Record<string, unknown>)[k]);
  return out;
}

function shownVars(host: Host, opts: OutputOptions): Vars {
  const vars: Vars = { ...host.vars, ...opts.extraVars };
  for (const k of INTERNAL_VARS) delete vars[k];
  return opts.maskSecrets === false ? vars : maskSecretVars(vars);
}

/** Exactly the structure `ansible-inventory --list` prints (keys sorted; print with JSON.stringify(x, null, 4)). */
export function inventoryListJson(inv: Inventory, opts: OutputOptions = {}): Record<string, unknown> {
  const results: Record<string, unknown> = {};
  const seen = new Set<string>();
  const format = (name: string) => {
    const g = inv.groups.get(name)!;
    const entry: { hosts?: string[]; children?: string[] } = {};
    results[name] = entry;
    if (name !== 'all') entry.hosts = [...g.hosts];
    entry.children = [];
    for (const child of g.children) {
      entry.children.push(child);
      if (!seen.has(child)) {
        format(child);
        seen.add(child);
      }
    }
    if (!entry.hosts?.length) delete entry.hosts;
    if (!entry.children.length) delete entry.children;
    if (Object.keys(entry).length === 0) delete results[name];
  };
  format('all');

  const hostvars: Record<string, Vars> = {};
  for (const h of inv.hosts.values()) {
    const vars = shownVars(h, opts);
    if (Object.keys(vars).length) hostvars[h.name] = vars;
  }
  results._meta = { hostvars };
  return sortKeys(results) as Record<string, unknown>;
}

/** `ansible-inventory --host NAME`: the merged vars of the one host NAME selects. */
export function inventoryHost(inv: Inventory, name: string, opts: OutputOptions = {}): Vars {
  let hosts: Host[];
  try {
    hosts = selectHosts(inv, name);
  } catch {
    hosts = [];
  }
  const host = hosts[0];
  if (hosts.length !== 1 || !host) throw new InventoryError(`--host needs exactly one host, '${name}' matches ${hosts.length}`);
  return sortKeys(shownVars(host, opts)) as Vars;
}

/** `ansible-inventory --graph [GROUP]`: the group tree, one line per group or host (no trailing newline). */
export function inventoryGraph(inv: Inventory, group = 'all'): string {
  if (!inv.groups.has(group)) throw new InventoryError(`--graph needs a group name, '${group}' is not a group`);
  const lines: string[] = [];
  const indent = (text: string, depth: number) => (depth ? `${'  |'.repeat(depth)}--${text}` : text);
  const walk = (name: string, depth: number) => {
    lines.push(indent(`@${name}:`, depth));
    const g = inv.groups.get(name)!;
    for (const child of g.children) walk(child, depth + 1);
    if (name !== 'all') for (const h of g.hosts) lines.push(indent(h, depth + 1));
  };
  walk(group, 0);
  return lines.join('\n');
}
