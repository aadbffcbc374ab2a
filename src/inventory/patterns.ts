/**
 * Ansible host patterns (InventoryManager.get_hosts): `all`, `*`, groups, hosts, globs, `~regex`,
 * `a:b` / `a,b` (union), `a:&b` (intersection), `a:!b` (exclusion), `g[0]`, `g[-1]`, `g[0:9]`, and
 * `--limit` (a second pattern the result is filtered by, also `@file` with one pattern per line).
 * Pure and synchronous apart from reading a limit file. Unknown names are errors, not warnings.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { InventoryError, inputText, type SourceLocation } from '../core/errors.js';
import type { Host, Inventory } from '../core/inventory.js';
import { parseAddress } from './address.js';
import { globToRegExp, isGlob } from './glob.js';
import { groupHostNames } from './group-hosts.js';

const LOCALHOST_NAMES = new Set(['localhost', '127.0.0.1', '::1']);
const SUBSCRIPT = /^(.+)\[(?:(-?[0-9]+)|([0-9]+)([:-])([0-9]*))\]$/;

const COLON_PART = /(?:[^\s:[\]]|\[[^\]]*\])+/g;

/**
 * Splits a pattern on commas, else on colons that are not part of an address, port or [x:y] range.
 * Ansible silently drops a stray `[` or `]` here (so `~[` became `~`, every host); we refuse it.
 */
export function splitHostPattern(pattern: string): string[] {
  let parts: string[];
  if (pattern.includes(',')) parts = pattern.split(',');
  else if (parseAddress(pattern, true)) parts = [pattern];
  else {
    parts = pattern.match(COLON_PART) ?? [];
    if (pattern.replace(COLON_PART, '').replace(/[\s:]/g, '') !== '')
      throw new InventoryError(`unbalanced '[' or ']' in host pattern '${inputText(pattern)}'`);
  }
  return parts.map((p) => p.trim()).filter((p) => p);
}

/** Plain patterns first, then `&` ones, then `!` ones; only `&`/`!` means "all" first. */
function orderPatterns(patterns: string[]): string[] {
  const regular = patterns.filter((p) => p[0] !== '!' && p[0] !== '&');
  const and = patterns.filter((p) => p[0] === '&');
  const not = patterns.filter((p) => p[0] === '!');
  return [...(regular.length ? regular : ['all']), ...and, ...not];
}

/** Where a single pattern came from, for error messages: a limit file and line, or a prefix. */
interface Where {
  readonly loc?: SourceLocation;
  readonly prefix?: string;
}
type Origin = (pattern: string) => Where;

function patternError(where: Where, message: string): InventoryError {
  return new InventoryError(where.prefix ? `${where.prefix}: ${message}` : message, where.loc);
}

/** An empty selection must never widen to every host: `all` has to be asked for by name. */
const EMPTY = "empty host pattern (name the hosts or groups, or 'all' for every host)";

function evaluate(inv: Inventory, patterns: string[], origin: Origin): Host[] {
  if (patterns.length === 0) throw patternError(origin(''), EMPTY);
  let hosts: Host[] = [];
  for (const p of orderPatterns(patterns)) {
    const exact = inv.hosts.get(p);
    if (exact) {
      hosts.push(exact);
      continue;
    }
    const that = matchOne(inv, p, origin(p));
    if (p[0] === '!') {
      const drop = new Set(that);
      hosts = hosts.filter((h) => !drop.has(h));
    } else if (p[0] === '&') {
      const keep = new Set(that);
      hosts = hosts.filter((h) => keep.has(h));
    } else {
      const existing = new Set(hosts.map((h) => h.name));
      for (const h of that) if (!existing.has(h.name)) hosts.push(h);
    }
  }
  return dedupe(hosts);
}

function dedupe(hosts: Host[]): Host[] {
  const seen = new Set<string>();
  return hosts.filter((h) => !seen.has(h.name) && (seen.add(h.name), true));
}

function matchOne(inv: Inventory, pattern: string, where: Where): Host[] {
  const bare = pattern[0] === '&' || pattern[0] === '!' ? pattern.slice(1) : pattern;
  if (!bare) throw patternError(where, `empty host pattern '${inputText(pattern)}'`);
  const [expr, subscript] = splitSubscript(bare);
  const hosts = enumerate(inv, expr, where);
  if (!subscript || hosts.length === 0) return hosts;
  const [start, end] = subscript;
  if (end === undefined) {
    const h = hosts[start < 0 ? hosts.length + start : start];
    if (!h) throw patternError(where, `no hosts matched the subscripted pattern '${inputText(bare)}' (${hosts.length} hosts)`);
    return [h];
  }
  return pySlice(hosts, start, end === -1 ? hosts.length : end + 1);
}

/** Python's list[a:b] (negative indexes count from the end, out-of-range is clamped). */
function pySlice<T>(list: T[], a: number, b: number): T[] {
  const norm = (i: number) => (i < 0 ? Math.max(0, list.length + i) : Math.min(i, list.length));
  return list.slice(norm(a), norm(b));
}

/** `g[3]` -> ['g', [3]]; `g[1:4]` -> ['g', [1, 4]]; `g[2:]` -> ['g', [2, -1]] (to the end). */
function splitSubscript(pattern: string): [string, [number, number | undefined] | undefined] {
  if (pattern[0] === '~') return [pattern, undefined];
  const m = SUBSCRIPT.exec(pattern);
  if (!m) return [pattern, undefined];
  if (m[2] !== undefined) return [m[1]!, [Number(m[2]), undefined]];
  const end = m[5] ? Number(m[5]) : -1;
  // Ansible quirk kept: an end of 0 (`g[2:0]`) means "just the start".
  return [m[1]!, [Number(m[3]), end === 0 ? undefined : end]];
}

function compile(pattern: string, where: Where): RegExp {
  if (pattern[0] !== '~') {
    try {
      return globToRegExp(pattern);
    } catch (e) {
      // A class like [z-a] is a bad range in a glob too.
      throw patternError(where, `invalid glob in host pattern '${inputText(pattern)}': ${(e as Error).message}`);
    }
  }
  // Python's re.match anchors at the start only; translate named groups to JS syntax.
  const src = pattern
    .slice(1)
    .replace(/\(\?P</g, '(?<')
    .replace(/\(\?P=(\w+)\)/g, '\\k<$1>');
  try {
    return new RegExp(`^(?:${src})`);
  } catch (e) {
    throw patternError(where, `invalid regex in host pattern '${inputText(pattern)}': ${inputText((e as Error).message)}`);
  }
}

function enumerate(inv: Inventory, pattern: string, where: Where): Host[] {
  const out: Host[] = [];
  let groups: string[];
  if (pattern[0] !== '~' && !isGlob(pattern)) {
    // A plain word matches only itself: look it up instead of scanning (same result, O(1)).
    groups = inv.groups.has(pattern) ? [pattern] : [];
    for (const g of groups) for (const name of groupHostNames(inv, g)) out.push(inv.hosts.get(name)!);
    const h = inv.hosts.get(pattern);
    if (h && (groups.length === 0 || pattern.includes('.'))) out.push(h);
  } else {
    const re = compile(pattern, where);
    groups = [...inv.groups.keys()].filter((g) => re.test(g));
    for (const g of groups) for (const name of groupHostNames(inv, g)) out.push(inv.hosts.get(name)!);
    for (const h of inv.hosts.values()) if (re.test(h.name)) out.push(h);
  }
  if (out.length === 0 && LOCALHOST_NAMES.has(pattern)) out.push(implicitLocalhost(inv, pattern));
  if (out.length === 0 && groups.length === 0 && pattern !== 'all') {
    throw patternError(where, `host pattern '${inputText(pattern)}' matches no host or group in the inventory`);
  }
  return out;
}

const implicitCache = new WeakMap<Inventory, Map<string, Host>>();

/** Ansible's implicit localhost: not in the inventory, local connection, `all` group vars. */
function implicitLocalhost(inv: Inventory, name: string): Host {
  let perInv = implicitCache.get(inv);
  if (!perInv) implicitCache.set(inv, (perInv = new Map()));
  let h = perInv.get(name);
  if (!h) {
    h = Object.freeze({ name, groups: Object.freeze(['all']), vars: { ...inv.groups.get('all')?.vars, ansible_connection: 'local' } });
    perInv.set(name, h);
  }
  return h;
}

/** Hosts matching an Ansible host pattern, in Ansible's order. Unknown names throw InventoryError. */
export function selectHosts(inv: Inventory, pattern: string): Host[] {
  return evaluate(inv, splitHostPattern(pattern), () => ({}));
}

function splitLimit(limit: string): string[] {
  try {
    return splitHostPattern(limit);
  } catch (e) {
    if (e instanceof InventoryError) throw new InventoryError(`--limit '${inputText(limit)}': ${e.message}`);
    throw e;
  }
}

/**
 * `--limit PATTERN`: keeps the hosts (in their order) that the limit also matches. `@file` entries
 * name a file (relative to cwd) with one pattern per line.
 */
export function applyLimit(inv: Inventory, hosts: readonly Host[], limit: string, cwd: string): Host[] {
  const patterns: string[] = [];
  const origins = new Map<string, SourceLocation>();
  for (const part of splitLimit(limit)) {
    if (part[0] !== '@') {
      patterns.push(part);
      continue;
    }
    const shown = part.slice(1);
    const file = path.resolve(cwd, shown);
    let text: string;
    try {
      if (statSync(file).isDirectory()) throw new InventoryError(`--limit ${inputText(part)}: must be a file, not a directory`);
      text = readFileSync(file, 'utf8');
    } catch (e) {
      if (e instanceof InventoryError) throw e;
      throw new InventoryError(
        `--limit ${inputText(part)}: cannot read limit file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      );
    }
    const before = patterns.length;
    text.split('\n').forEach((line, i) => {
      const p = line.trim();
      if (!p) return;
      patterns.push(p);
      if (!origins.has(p)) origins.set(p, { file: shown, line: i + 1 });
    });
    // A retry file that came out empty means "nothing to redo", never "everything".
    if (patterns.length === before) throw new InventoryError(`--limit ${inputText(part)}: no hosts in ${inputText(shown)}`);
  }
  const origin = (p: string): Where => {
    const loc = origins.get(p);
    return loc ? { loc, prefix: '--limit' } : { prefix: `--limit '${inputText(limit)}'` };
  };
  const keep = new Set(evaluate(inv, patterns, origin).map((h) => h.name));
  return hosts.filter((h) => keep.has(h.name));
}
