/**
 * Jinja/Ansible filters used in playbooks. Pure functions of their arguments; keyword arguments
 * arrive from nunjucks as a trailing object marked `__keywords`.
 */
import { shQuote } from '../core/shell.js';
import { pyRegex, pyReplacement } from './regex.js';
import { isMapping, truthy } from './truth.js';

export type Filter = (value: unknown, ...args: unknown[]) => unknown;

/** Separates nunjucks keyword arguments from positional ones. */
export function splitKwargs(args: readonly unknown[]): { pos: unknown[]; kw: Record<string, unknown> } {
  const last = args[args.length - 1];
  if (isMapping(last) && last['__keywords'] === true) {
    const { __keywords: _ignored, ...kw } = last;
    return { pos: args.slice(0, -1), kw };
  }
  return { pos: [...args], kw: {} };
}

/** Positional argument `i`, or keyword `name`, or the default. */
function arg<T>(a: { pos: unknown[]; kw: Record<string, unknown> }, i: number, name: string, dflt: T): unknown {
  if (a.pos.length > i) return a.pos[i];
  if (name in a.kw) return a.kw[name];
  return dflt;
}

/** Python-like str(): what Jinja prints for a value inside join/lower. */
export function pyStr(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

function asIterable(value: unknown, filter: string): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return [...value];
  if (isMapping(value)) return Object.keys(value);
  throw new Error(`${filter}: expected a list, got ${describe(value)}`);
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `${typeof value} ${JSON.stringify(value)}`;
}

/** Jinja `default(value, default_value='', boolean=false)`: with boolean=true, falsy values are replaced too. */
export const defaultFilter: Filter = (value, ...rest) => {
  const a = splitKwargs(rest);
  const dflt = arg(a, 0, 'default_value', '');
  const boolean = truthy(arg(a, 1, 'boolean', false));
  if (value === undefined) return dflt;
  if (boolean && !truthy(value)) return dflt;
  return value;
};

/** Ansible `bool`: true for true, 1, and the strings yes/on/1/true (any case); false otherwise. */
export const boolFilter: Filter = (value) => {
  if (typeof value === 'boolean') return value;
  if (value === null || value === undefined) return false;
  if (typeof value === 'number') return value === 1;
  if (typeof value === 'string') return ['yes', 'on', '1', 'true'].includes(value.trim().toLowerCase());
  return false;
};

/** Jinja `int(default=0, base=10)`: "42" → 42, "3.9" → 3, "0x1f" with base=16 → 31, junk → default. */
export const intFilter: Filter = (value, ...rest) => {
  const a = splitKwargs(rest);
  const dflt = arg(a, 0, 'default', 0);
  const base = Number(arg(a, 1, 'base', 10));
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : dflt;
  if (typeof value !== 'string') return dflt;
  let s = value.trim().replace(/_/g, '');
  if (base === 10) {
    if (/^[+-]?\d+$/.test(s)) return Number.parseInt(s, 10);
    if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return Math.trunc(Number(s));
    return dflt;
  }
  const prefixes: Record<number, RegExp> = { 16: /^0x/i, 8: /^0o/i, 2: /^0b/i };
  const neg = s.startsWith('-');
  if (neg || s.startsWith('+')) s = s.slice(1);
  s = s.replace(prefixes[base] ?? /^$/, '');
  const digits = '0123456789abcdefghijklmnopqrstuvwxyz'.slice(0, base);
  if (!s || ![...s.toLowerCase()].every((c) => digits.includes(c))) return dflt;
  const n = Number.parseInt(s, base);
  return neg ? -n : n;
};

export const floatFilter: Filter = (value, ...rest) => {
  const dflt = arg(splitKwargs(rest), 0, 'default', 0);
  const n =
    typeof value === 'string' ? Number(value.trim()) : typeof value === 'number' ? value : typeof value === 'boolean' ? Number(value) : NaN;
  return Number.isNaN(n) || (typeof value === 'string' && value.trim() === '') ? dflt : n;
};

export const lowerFilter: Filter = (value) => pyStr(value).toLowerCase();
export const upperFilter: Filter = (value) => pyStr(value).toUpperCase();
export const stringFilter: Filter = (value) => pyStr(value);

/** Jinja `join(d='', attribute=None)`. */
export const joinFilter: Filter = (value, ...rest) => {
  const a = splitKwargs(rest);
  const sep = pyStr(arg(a, 0, 'd', ''));
  const attribute = arg(a, 1, 'attribute', undefined);
  let items = asIterable(value, 'join');
  if (attribute !== undefined && attribute !== null) items = items.map((i) => (isMapping(i) ? i[String(attribute)] : undefined));
  return items.map(pyStr).join(sep);
};

export const fromJsonFilter: Filter = (value) => {
  if (typeof value !== 'string') throw new Error(`from_json: expected a string, got ${describe(value)}`);
  try {
    return JSON.parse(value) as unknown;
  } catch (err) {
    throw new Error(`from_json: invalid JSON: ${(err as Error).message}`);
  }
};

export const toJsonFilter: Filter = (value) => JSON.stringify(value ?? null);

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (isMapping(value))
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys(value[k])]),
    );
  return value;
}

export const toNiceJsonFilter: Filter = (value, ...rest) => {
  const indent = Number(arg(splitKwargs(rest), 0, 'indent', 4));
  return JSON.stringify(sortKeys(value ?? null), null, indent);
};

function regexOpts(kw: Record<string, unknown>): { ignorecase: boolean; multiline: boolean } {
  return { ignorecase: truthy(kw['ignorecase']), multiline: truthy(kw['multiline']) };
}

/**
 * Ansible `regex_search(pattern, *groups, ignorecase=False, multiline=False)`: the first match (or the
 * requested groups as a list), or null when nothing matches.
 */
export const regexSearchFilter: Filter = (value, ...rest) => {
  const a = splitKwargs(rest);
  const pattern = pyStr(a.pos[0]);
  const groups = a.pos.slice(1).map(pyStr);
  const m = pyRegex(pattern, regexOpts(a.kw)).exec(pyStr(value));
  if (!m) return null;
  if (groups.length === 0) return m[0];
  return groups.map((g) => {
    const num = /^\\(\d+)$/.exec(g);
    if (num) return m[Number(num[1])] ?? null;
    const named = /^\\g<(\w+)>$/.exec(g);
    if (named) return (/^\d+$/.test(named[1] ?? '') ? m[Number(named[1])] : m.groups?.[named[1] ?? '']) ?? null;
    throw new Error(`regex_search: unknown group reference '${g}' (use '\\\\1' or '\\\\g<name>')`);
  });
};

/** Ansible `regex_replace(pattern, replacement='', ignorecase=False, multiline=False)`: replaces every match. */
export const regexReplaceFilter: Filter = (value, ...rest) => {
  const a = splitKwargs(rest);
  const pattern = pyStr(arg(a, 0, 'pattern', ''));
  const replacement = pyStr(arg(a, 1, 'replacement', ''));
  return pyStr(value).replace(pyRegex(pattern, regexOpts(a.kw), 'g'), pyReplacement(replacement));
};

export const regexFindallFilter: Filter = (value, ...rest) => {
  const a = splitKwargs(rest);
  const re = pyRegex(pyStr(a.pos[0]), regexOpts(a.kw), 'g');
  return [...pyStr(value).matchAll(re)].map((m) => (m.length > 2 ? m.slice(1) : m.length === 2 ? m[1] : m[0]));
};

/** POSIX shell quoting (Ansible's `quote`): the value becomes exactly one shell word. */
export const quoteFilter: Filter = (value) => {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return shQuote(String(value));
  throw new Error(`quote: expected a string, got ${describe(value)}`);
};

export const ternaryFilter: Filter = (value, ...rest) => {
  const a = splitKwargs(rest);
  return truthy(value) ? arg(a, 0, 'true_val', undefined) : arg(a, 1, 'false_val', undefined);
};

export const mandatoryFilter: Filter = (value, ...rest) => {
  if (value === undefined) throw new Error(pyStr(arg(splitKwargs(rest), 0, 'msg', 'mandatory variable not defined')));
  return value;
};

function combineTwo(a: Record<string, unknown>, b: Record<string, unknown>, recursive: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = recursive && isMapping(prev) && isMapping(v) ? combineTwo(prev, v, true) : v;
  }
  return out;
}

export const combineFilter: Filter = (value, ...rest) => {
  const a = splitKwargs(rest);
  const recursive = truthy(a.kw['recursive']);
  let out = isMapping(value) ? value : {};
  for (const m of a.pos) {
    if (!isMapping(m)) throw new Error(`combine: expected mappings, got ${describe(m)}`);
    out = combineTwo(out, m, recursive);
  }
  return out;
};

export const dict2itemsFilter: Filter = (value) => {
  if (!isMapping(value)) throw new Error(`dict2items: expected a mapping, got ${describe(value)}`);
  return Object.entries(value).map(([key, v]) => ({ key, value: v }));
};

export const items2dictFilter: Filter = (value) =>
  Object.fromEntries(asIterable(value, 'items2dict').map((i) => (isMapping(i) ? [pyStr(i['key']), i['value']] : [pyStr(i), undefined])));

export const uniqueFilter: Filter = (value) => {
  const seen: unknown[] = [];
  for (const v of asIterable(value, 'unique')) if (!seen.some((s) => JSON.stringify(s) === JSON.stringify(v))) seen.push(v);
  return seen;
};

const cmp = (a: unknown, b: unknown) => ((a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0);
export const minFilter: Filter = (value) => [...asIterable(value, 'min')].sort(cmp)[0];
export const maxFilter: Filter = (value) => [...asIterable(value, 'max')].sort(cmp).at(-1);

export const basenameFilter: Filter = (value) => pyStr(value).replace(/\/+$/, '').split('/').at(-1) ?? '';
export const dirnameFilter: Filter = (value) => {
  const s = pyStr(value);
  const i = s.lastIndexOf('/');
  return i < 0 ? '' : i === 0 ? '/' : s.slice(0, i);
};
export const b64encodeFilter: Filter = (value) => Buffer.from(pyStr(value), 'utf8').toString('base64');
export const b64decodeFilter: Filter = (value) => Buffer.from(pyStr(value), 'base64').toString('utf8');

/** Filters that only need their arguments (map/select, which call other filters/tests, live in render.ts). */
export const FILTERS: Record<string, Filter> = {
  default: defaultFilter,
  d: defaultFilter,
  bool: boolFilter,
  int: intFilter,
  float: floatFilter,
  lower: lowerFilter,
  upper: upperFilter,
  string: stringFilter,
  join: joinFilter,
  from_json: fromJsonFilter,
  to_json: toJsonFilter,
  to_nice_json: toNiceJsonFilter,
  regex_search: regexSearchFilter,
  regex_replace: regexReplaceFilter,
  regex_findall: regexFindallFilter,
  quote: quoteFilter,
  ternary: ternaryFilter,
  mandatory: mandatoryFilter,
  combine: combineFilter,
  dict2items: dict2itemsFilter,
  items2dict: items2dictFilter,
  unique: uniqueFilter,
  min: minFilter,
  max: maxFilter,
  basename: basenameFilter,
  dirname: dirnameFilter,
  b64encode: b64encodeFilter,
  b64decode: b64decodeFilter,
};
