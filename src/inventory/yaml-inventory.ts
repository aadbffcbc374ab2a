/**
 * Ansible's YAML inventory format, ported from ansible-core 2.14's `yaml` plugin: top-level keys are
 * groups, each with optional `hosts:` (name or range -> vars), `vars:` and `children:` (nested groups).
 */
import { InventoryError, type SourceLocation } from '../core/errors.js';
import { expandHostPattern } from './host-pattern.js';
import type { InventoryOp } from './ops.js';
import { pyJsonKey, toPlain, typeName } from './plain.js';
import { HostRangeError } from './range.js';
import { loadYaml, type LoadedYaml } from './yaml-load.js';

export type YamlInventoryResult =
  | { readonly kind: 'ok'; readonly ops: InventoryOp[]; readonly warnings: string[] }
  /** Not a YAML inventory (Ansible would then try the INI parser); `error` says why. */
  | { readonly kind: 'not-yaml-inventory'; readonly error: InventoryError };

const SECTIONS = ['vars', 'children', 'hosts'] as const;

/** Parses YAML inventory text; plugin configs (`plugin: aws_ec2`) are refused with an error. */
export function parseYamlInventory(text: string, file: string): YamlInventoryResult {
  let loaded: LoadedYaml;
  try {
    loaded = loadYaml(text, file, (m, loc) => new InventoryError(m, loc));
  } catch (e) {
    if (e instanceof InventoryError) return { kind: 'not-yaml-inventory', error: e };
    throw e;
  }
  const data = loaded.data;
  // Ansible fails such a file and moves on (a warning); an empty file simply adds nothing here.
  if (isEmpty(data)) return { kind: 'ok', ops: [], warnings: [`${file}: empty inventory file`] };
  if (!(data instanceof Map)) {
    return {
      kind: 'not-yaml-inventory',
      error: new InventoryError(`a YAML inventory must be a mapping of groups, got ${typeName(data)}`, { file, line: 1 }),
    };
  }
  if (data.get('plugin')) {
    throw new InventoryError(`inventory plugin configuration files (plugin: ${String(data.get('plugin'))}) are not supported`, {
      file,
      line: loaded.lineOf(['plugin']),
    });
  }
  const walker = new Walker(file, loaded);
  for (const [name, groupData] of data) walker.group(name, groupData, [name]);
  return { kind: 'ok', ops: walker.ops, warnings: walker.warnings };
}

function isEmpty(v: unknown): boolean {
  return (
    v === null ||
    v === undefined ||
    v === '' ||
    v === false ||
    v === 0 ||
    (v instanceof Map && v.size === 0) ||
    (Array.isArray(v) && v.length === 0)
  );
}

/** A location whose line is looked up only when a message needs it (finding a key is linear in its siblings). */
class LazyLocation implements SourceLocation {
  constructor(
    readonly file: string,
    private readonly yaml: LoadedYaml,
    private readonly path: readonly unknown[],
  ) {}
  get line(): number | undefined {
    return this.yaml.lineOf(this.path);
  }
}

class Walker {
  readonly ops: InventoryOp[] = [];
  readonly warnings: string[] = [];
  constructor(
    private readonly file: string,
    private readonly yaml: LoadedYaml,
  ) {}

  private loc(path: readonly unknown[]): SourceLocation {
    return new LazyLocation(this.file, this.yaml, path);
  }

  /** One group and, recursively, its children; returns the group name. */
  group(name: unknown, data: unknown, path: unknown[]): string | undefined {
    const loc = this.loc(path);
    if (!(data instanceof Map) && data !== null && data !== undefined) {
      this.warnings.push(`${this.file}:${loc.line ?? '?'}: skipping '${pyJsonKey(name)}' as it is not a valid group definition`);
      return undefined;
    }
    if (typeof name !== 'string' || name === '')
      throw new InventoryError(`invalid group name ${JSON.stringify(name)}: expected a string`, loc);
    this.ops.push({ op: 'group', name, loc });
    if (!(data instanceof Map)) return name;

    for (const section of SECTIONS) {
      if (!data.has(section)) continue;
      const v = data.get(section);
      if (typeof v === 'string') data.set(section, new Map([[v, null]]));
      else if (!(v instanceof Map) && v !== null && v !== undefined) {
        throw new InventoryError(
          `invalid "${section}" entry for group "${name}": requires a mapping, found ${typeName(v)}`,
          this.loc([...path, section]),
        );
      }
    }

    for (const [key, value] of data) {
      const here = [...path, key];
      if (value === null || value === undefined) continue;
      if (!(value instanceof Map)) {
        this.warnings.push(
          `${this.file}:${this.loc(here).line ?? '?'}: skipping key '${pyJsonKey(key)}' in group '${name}': not a mapping`,
        );
        continue;
      }
      if (key === 'vars') {
        for (const [k, v] of value)
          this.ops.push({ op: 'groupVar', group: name, key: pyJsonKey(k), value: toPlain(v), loc: this.loc([...here, k]) });
      } else if (key === 'children') {
        for (const [sub, subData] of value) {
          const child = this.group(sub, subData, [...here, sub]);
          if (child !== undefined) this.ops.push({ op: 'child', parent: name, child, loc: this.loc([...here, sub]) });
        }
      } else if (key === 'hosts') {
        for (const [pattern, hostVars] of value) this.hosts(name, pattern, hostVars, [...here, pattern]);
      } else {
        this.warnings.push(
          `${this.file}:${this.loc(here).line ?? '?'}: skipping unexpected key '${pyJsonKey(key)}' in group '${name}' (only vars, children and hosts are valid)`,
        );
      }
    }
    return name;
  }

  private hosts(group: string, pattern: unknown, hostVars: unknown, path: unknown[]): void {
    const loc = this.loc(path);
    if (typeof pattern !== 'string') {
      throw new InventoryError(`host pattern ${pyJsonKey(pattern)} must be a string: enclose numbers in quotes`, loc);
    }
    let expanded;
    try {
      expanded = expandHostPattern(pattern);
    } catch (e) {
      if (e instanceof HostRangeError) throw new InventoryError(e.message, loc);
      throw e;
    }
    const vars = hostVars || new Map();
    if (!(vars instanceof Map)) throw new InventoryError(`vars of host '${pattern}' must be a mapping, got ${typeName(vars)}`, loc);
    for (const host of expanded.names) {
      this.ops.push({ op: 'host', name: host, group, port: expanded.port, loc });
      for (const [k, v] of vars) this.ops.push({ op: 'hostVar', host, key: pyJsonKey(k), value: toPlain(v), loc: this.loc([...path, k]) });
    }
  }
}
