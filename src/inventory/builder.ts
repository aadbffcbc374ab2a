/**
 * The mutable inventory while sources are applied: Ansible's InventoryData, Group and Host rules
 * (implicit `all` and `ungrouped`, loop detection, group depth and `ansible_group_priority`).
 * Orders are kept exactly as Ansible keeps them, because `--list`, `--graph` and host patterns show them.
 */
import { InventoryError, formatLocation, type SourceLocation } from '../core/errors.js';
import type { Vars } from '../core/inventory.js';
import type { InventoryOp, ParsedSource } from './ops.js';

export class GroupData {
  readonly hosts: string[] = [];
  readonly hostSet = new Set<string>();
  readonly children: string[] = [];
  readonly parents: string[] = [];
  /** Vars set inline in the inventory (not group_vars/ files). */
  readonly vars: Vars = {};
  priority = 1;
  depth = 0;
  constructor(readonly name: string) {}
}

export class HostData {
  /** Inline inventory vars (not host_vars/ files), in the order they were set. */
  readonly vars: Vars = {};
  /** Groups that list this host directly. */
  readonly groups: string[] = [];
  /** Where ansible_host was first set inline, to catch a host defined twice with different addresses. */
  addressFrom: { value: unknown; loc: SourceLocation } | undefined;
  constructor(
    readonly name: string,
    readonly source: string | undefined,
  ) {}
}

export class InventoryBuilder {
  readonly groups = new Map<string, GroupData>();
  readonly hosts = new Map<string, HostData>();
  readonly warnings: string[] = [];
  private readonly ancestorCache = new Map<string, ReadonlySet<string>>();

  constructor() {
    this.addGroup('all');
    this.addGroup('ungrouped');
    this.addChild('all', 'ungrouped', { file: '(implicit)' });
  }

  /** Applies one parsed source, step by step. */
  apply(source: ParsedSource): void {
    for (const op of source.ops) this.applyOp(op, source.file);
    this.warnings.push(...source.warnings);
  }

  private applyOp(op: InventoryOp, file: string | undefined): void {
    switch (op.op) {
      case 'group':
        this.addGroup(op.name);
        return;
      case 'host':
        if (op.onlyIfNew && this.hosts.has(op.name)) return;
        this.addHost(op.name, op.group, op.port, file, op.loc);
        return;
      case 'groupVar':
        this.setGroupVar(op.group, op.key, op.value, op.loc);
        return;
      case 'hostVar':
        this.setHostVar(op.host, op.key, op.value, op.loc);
        return;
      case 'child':
        this.addChild(op.parent, op.child, op.loc);
        return;
    }
  }

  addGroup(name: string): GroupData {
    let g = this.groups.get(name);
    if (!g) {
      g = new GroupData(name);
      this.groups.set(name, g);
    }
    return g;
  }

  private addHost(name: string, group: string | undefined, port: number | undefined, file: string | undefined, loc: SourceLocation): void {
    if (!name) throw new InventoryError('empty host name', loc);
    let g: GroupData | undefined;
    if (group !== undefined) {
      g = this.groups.get(group);
      if (!g) throw new InventoryError(`could not find group '${group}' for host '${name}'`, loc);
    }
    let h = this.hosts.get(name);
    if (!h) {
      h = new HostData(name, file);
      // As in Ansible, a port from `name:port` only counts where the host is first defined.
      if (port !== undefined) h.vars.ansible_port = port;
      this.hosts.set(name, h);
    }
    if (g) this.addHostToGroup(g, h);
  }

  private addHostToGroup(g: GroupData, h: HostData): void {
    if (g.hostSet.has(h.name)) return;
    g.hosts.push(h.name);
    g.hostSet.add(h.name);
    h.groups.push(g.name);
  }

  private setGroupVar(group: string, key: string, value: unknown, loc: SourceLocation): void {
    const g = this.groups.get(group);
    if (!g) throw new InventoryError(`could not find group '${group}'`, loc);
    if (key === 'ansible_group_priority') {
      // Ansible keeps the priority apart from the vars (it never shows up in hostvars).
      g.priority = pyIntValue(value, loc);
      return;
    }
    g.vars[key] = value;
  }

  private setHostVar(host: string, key: string, value: unknown, loc: SourceLocation): void {
    const h = this.hosts.get(host);
    if (!h) throw new InventoryError(`could not find host '${host}'`, loc);
    if (key === 'ansible_host') {
      const first = h.addressFrom;
      if (first && first.value !== value) {
        throw new InventoryError(
          `host '${host}' is defined twice with different ansible_host values ('${String(first.value)}' at ${formatLocation(first.loc)}, '${String(value)}' here)`,
          loc,
        );
      }
      h.addressFrom ??= { value, loc };
    }
    h.vars[key] = value;
  }

  /** Adds `child` (a group, else a host) under group `parent`, refusing loops as Ansible does. */
  addChild(parent: string, child: string, loc: SourceLocation): void {
    const p = this.groups.get(parent);
    if (!p) throw new InventoryError(`'${parent}' is not a known group`, loc);
    const cg = this.groups.get(child);
    if (!cg) {
      const h = this.hosts.get(child);
      if (!h) throw new InventoryError(`'${child}' is not a known host nor group`, loc);
      this.addHostToGroup(p, h);
      return;
    }
    if (cg === p) throw new InventoryError(`group '${parent}' cannot be a child of itself`, loc);
    if (p.children.includes(child)) return;
    if (this.ancestors(p).has(child)) {
      throw new InventoryError(`adding group '${child}' as child to '${parent}' creates a recursive dependency loop`, loc);
    }
    p.children.push(child);
    if (!cg.parents.includes(parent)) cg.parents.push(parent);
    this.ancestorCache.clear();
  }

  /** Every group above `g` (not including g). Cached until the next addChild. */
  ancestors(g: GroupData): ReadonlySet<string> {
    const cached = this.ancestorCache.get(g.name);
    if (cached) return cached;
    const seen = new Set<string>();
    const stack = [...g.parents];
    while (stack.length) {
      const n = stack.pop()!;
      if (seen.has(n)) continue;
      seen.add(n);
      stack.push(...(this.groups.get(n)?.parents ?? []));
    }
    this.ancestorCache.set(g.name, seen);
    return seen;
  }

  /**
   * Ansible's reconcile_inventory: groups without a parent go under `all` (in creation order), hosts in
   * no group go to `ungrouped`, and `ungrouped` loses hosts that have a real group. Then depths.
   */
  reconcile(): void {
    for (const g of this.groups.values()) {
      if (g.name !== 'all' && g.parents.length === 0) this.addChild('all', g.name, { file: '(implicit)' });
    }
    const ungrouped = this.groups.get('ungrouped')!;
    for (const h of this.hosts.values()) {
      const mine = this.hostGroups(h);
      if (mine.has('ungrouped')) {
        const others = [...mine].some((n) => n !== 'all' && n !== 'ungrouped');
        if (others) this.removeHostFromGroup(ungrouped, h);
      } else if (mine.size === 0 || (mine.size === 1 && mine.has('all'))) {
        this.addHostToGroup(ungrouped, h);
      }
    }
    this.computeDepths();
    for (const name of this.groups.keys()) {
      if (this.hosts.has(name)) this.warnings.push(`found both a group and a host named '${name}'`);
    }
  }

  private removeHostFromGroup(g: GroupData, h: HostData): void {
    if (!g.hostSet.delete(h.name)) return;
    g.hosts.splice(g.hosts.indexOf(h.name), 1);
    h.groups.splice(h.groups.indexOf(g.name), 1);
  }

  /** All groups of a host: the ones listing it and all their ancestors. */
  hostGroups(h: HostData): Set<string> {
    const out = new Set<string>();
    for (const name of h.groups) {
      if (out.has(name)) continue;
      out.add(name);
      const g = this.groups.get(name);
      if (g) for (const a of this.ancestors(g)) out.add(a);
    }
    return out;
  }

  /** Depth = longest path from `all`, as Ansible's add_child_group/_check_children_depth compute it. */
  private computeDepths(): void {
    const memo = new Map<string, number>();
    const depth = (name: string): number => {
      const known = memo.get(name);
      if (known !== undefined) return known;
      const g = this.groups.get(name)!;
      let d = 0;
      for (const p of g.parents) d = Math.max(d, depth(p) + 1);
      memo.set(name, d);
      return d;
    };
    for (const g of this.groups.values()) g.depth = depth(g.name);
  }
}

/** Python's int() as Ansible applies it to ansible_group_priority. */
function pyIntValue(value: unknown, loc: SourceLocation): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === 'string' && /^\s*[+-]?[0-9](?:_?[0-9])*\s*$/.test(value)) return Number(value.trim().replace(/_/g, ''));
  throw new InventoryError(`ansible_group_priority must be an integer, got '${String(value)}'`, loc);
}
