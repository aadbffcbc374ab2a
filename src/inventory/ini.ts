/**
 * Ansible's INI inventory format, ported from ansible-core 2.14's `ini` plugin: `[group]`,
 * `[group:vars]`, `[group:children]` (which may name groups declared further down), host lines split
 * like a shell (`host k=v k2="a b"  # comment`) with values read as Python literals, `host:port`, ranges.
 */
import { InventoryError } from '../core/errors.js';
import { expandHostPattern } from './host-pattern.js';
import type { InventoryOp } from './ops.js';
import { MAX_NESTING } from './nesting.js';
import { LiteralTooDeep, NOT_LITERAL, literalEval } from './python-literal.js';
import { HostRangeError } from './range.js';
import { splitWords } from '../core/shell.js';

const SECTION = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$/;
const GROUP_NAME = /^([^:\]\s]+)\s*(?:#.*)?$/;

/**
 * Ansible's INI value reading: a Python literal when it is one, else the text as written. A literal
 * nested deeper than MAX_NESTING throws LiteralTooDeep (Python would keep such a value as text; we
 * refuse it, as we refuse too-deep values from every other source).
 */
export function parseIniValue(text: string): unknown {
  const v = literalEval(text);
  return v === NOT_LITERAL ? text : v;
}

function iniValue(key: string, text: string, err: (msg: string) => never): unknown {
  try {
    return parseIniValue(text);
  } catch (e) {
    if (e instanceof LiteralTooDeep) return err(`value of '${key}' is nested more than ${MAX_NESTING} levels deep`);
    throw e;
  }
}

interface Pending {
  readonly line: number;
  readonly state: 'vars' | 'children';
  readonly parents: string[];
}

/**
 * Parses INI text into inventory steps. `knownGroups` are groups earlier sources defined (a
 * `[x:children]` entry may name them without declaring them here).
 */
export function parseIni(text: string, file: string, knownGroups: ReadonlySet<string>): InventoryOp[] {
  const ops: InventoryOp[] = [];
  const groups = new Set(knownGroups);
  groups.add('all').add('ungrouped');
  const pending = new Map<string, Pending>();
  let group = 'ungrouped';
  let state = 'hosts';
  const lines = text.split(/\r\n|\r|\n/);
  let lineno = 0;
  const err = (msg: string): never => {
    throw new InventoryError(msg, { file, line: lineno });
  };
  const addGroup = (name: string) => {
    if (groups.has(name)) return;
    groups.add(name);
    ops.push({ op: 'group', name, loc: { file, line: lineno } });
  };
  const addPendingChildren = (name: string) => {
    const p = pending.get(name)!;
    for (const parent of p.parents) {
      ops.push({ op: 'child', parent, child: name, loc: { file, line: p.line } });
      if (pending.get(parent)?.state === 'children') addPendingChildren(parent);
    }
    pending.delete(name);
  };

  for (const raw of lines) {
    lineno++;
    const line = raw.trim();
    if (!line || line[0] === '#' || line[0] === ';') continue;

    const m = SECTION.exec(line);
    if (m) {
      group = m[1]!;
      state = m[2] ?? 'hosts';
      if (state !== 'hosts' && state !== 'children' && state !== 'vars') err(`section [${group}:${state}] has unknown type: ${state}`);
      if (!groups.has(group)) {
        // [g:vars] alone does not declare g; it must be declared as [g] or [g:children] somewhere.
        if (state === 'vars' && !pending.has(group)) pending.set(group, { line: lineno, state: 'vars', parents: [] });
        addGroup(group);
      }
      const p = pending.get(group);
      if (p && state !== 'vars') {
        if (p.state === 'children') addPendingChildren(group);
        else pending.delete(group);
      }
      continue;
    }
    if (line.startsWith('[') && line.endsWith(']')) {
      err(`invalid section entry: '${line}' (no spaces or other invalid characters allowed in a section name)`);
    }

    if (state === 'hosts') {
      const { names, port, vars } = parseHostLine(line, err);
      for (const name of names) {
        ops.push({ op: 'host', name, group, port, loc: { file, line: lineno } });
        for (const [key, value] of vars) ops.push({ op: 'hostVar', host: name, key, value, loc: { file, line: lineno } });
      }
    } else if (state === 'vars') {
      const eq = line.indexOf('=');
      if (eq < 0) err(`expected key=value, got: ${line}`);
      const key = line.slice(0, eq).trim();
      ops.push({ op: 'groupVar', group, key, value: iniValue(key, line.slice(eq + 1).trim(), err), loc: { file, line: lineno } });
    } else {
      const cm = GROUP_NAME.exec(line);
      if (!cm) return err(`expected a group name, got: ${line}`);
      const child = cm[1]!;
      if (!groups.has(child)) {
        const p = pending.get(child);
        if (p) p.parents.push(group);
        else pending.set(child, { line: lineno, state: 'children', parents: [group] });
      } else {
        ops.push({ op: 'child', parent: group, child, loc: { file, line: lineno } });
      }
    }
  }

  // Anything still pending was never declared; like Ansible, report the first one.
  for (const [name, p] of pending) {
    lineno = p.line;
    if (p.state === 'vars') err(`section [${name}:vars] is not valid for undefined group: ${name}`);
    err(`section [${p.parents[p.parents.length - 1]}:children] includes undefined group: ${name}`);
  }
  return ops;
}

function parseHostLine(
  line: string,
  err: (msg: string) => never,
): { names: string[]; port: number | undefined; vars: [string, unknown][] } {
  let tokens: string[];
  try {
    tokens = splitWords(line, { comments: true });
  } catch (e) {
    return err(`cannot parse host line '${line}': ${(e as Error).message}`);
  }
  const pattern = tokens[0] ?? '';
  let expanded;
  try {
    expanded = expandHostPattern(pattern);
  } catch (e) {
    if (e instanceof HostRangeError) return err(e.message);
    throw e;
  }
  if (pattern.trim().endsWith(':') && expanded.port === undefined) {
    err(`invalid host pattern '${pattern}': a trailing ':' is reserved for a port`);
  }
  if (expanded.names.some((n) => n.trim() === '---')) {
    err(`invalid host pattern '${pattern}': '---' is normally a sign this is a YAML file`);
  }
  const vars: [string, unknown][] = [];
  for (const t of tokens.slice(1)) {
    const eq = t.indexOf('=');
    if (eq < 0) err(`expected key=value host variable assignment, got: ${t}`);
    vars.push([t.slice(0, eq), iniValue(t.slice(0, eq), t.slice(eq + 1), err)]);
  }
  return { names: expanded.names, port: expanded.port, vars };
}
