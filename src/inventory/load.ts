/** loadInventory: -i values in, one immutable Inventory out, with every host's vars merged. */
import path from 'node:path';
import { InventoryError } from '../core/errors.js';
import type { Group, Host, Inventory } from '../core/inventory.js';
import { InventoryBuilder } from './builder.js';
import { readSource, resolveSource, type ResolvedSource } from './sources.js';
import { VarsFiles } from './vars-files.js';
import { mergeVars } from './vars-merge.js';

/** An Inventory plus what fleet learned while loading it. */
export interface LoadedInventory extends Inventory {
  /** Non-fatal findings (skipped keys, ignored files), one line each, for the CLI to print. */
  readonly warnings: readonly string[];
  /** Absolute path of the file that first defined each host (Ansible's inventory_file); undefined for -i lists. */
  readonly hostSources: ReadonlyMap<string, string | undefined>;
}

export interface LoadOptions {
  /** Directory relative -i paths (and scripts' working directory) are taken from. Default: process.cwd(). */
  readonly cwd?: string;
  /** How long an inventory script may run before it (and all it started) is killed. Default 120 s. */
  readonly scriptTimeoutMs?: number;
}

/** Reads Ansible inventories (INI, YAML, scripts, directories, host lists) given as -i values. */
export async function loadInventory(sources: string[], opts: LoadOptions = {}): Promise<LoadedInventory> {
  const cwd = opts.cwd ?? process.cwd();
  if (sources.length === 0) throw new InventoryError('no inventory source given: use -i FILE|DIR|SCRIPT or -i "host1,host2,"');
  const resolved: ResolvedSource[] = [];
  for (const s of sources) resolved.push(await resolveSource(s, cwd));

  const b = new InventoryBuilder();
  for (const src of resolved) {
    await readSource(src, {
      cwd,
      ...(opts.scriptTimeoutMs !== undefined ? { scriptTimeoutMs: opts.scriptTimeoutMs } : {}),
      knownGroups: () => new Set(b.groups.keys()),
      accept: (parsed) => b.apply(parsed),
      warn: (m) => b.warnings.push(m),
    });
  }
  b.reconcile();

  // group_vars/ and host_vars/ live next to each -i file, or inside each -i directory.
  const varsDirs = resolved.flatMap((r) => (r.kind === 'path' ? [r.isDir ? r.path : path.dirname(r.path)] : []));
  const files = new VarsFiles();
  const merged = await mergeVars(b, varsDirs, files);

  const groups = new Map<string, Group>();
  for (const g of b.groups.values()) {
    groups.set(
      g.name,
      Object.freeze({
        name: g.name,
        hosts: Object.freeze([...g.hosts]),
        children: Object.freeze([...g.children]),
        vars: merged.groups.get(g.name) ?? {},
      }),
    );
  }
  const hosts = new Map<string, Host>();
  const hostSources = new Map<string, string | undefined>();
  for (const h of b.hosts.values()) {
    const m = merged.hosts.get(h.name)!;
    hosts.set(h.name, Object.freeze({ name: h.name, groups: Object.freeze(m.groups), vars: m.vars }));
    hostSources.set(h.name, h.source);
  }
  return { hosts, groups, sources: Object.freeze([...sources]), warnings: Object.freeze([...b.warnings, ...files.warnings]), hostSources };
}
