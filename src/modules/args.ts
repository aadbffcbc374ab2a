/** Argument checking shared by modules: at load time (PlaybookError with file:line) and at run time. */
import { PlaybookError } from '../core/errors.js';
import { hasTemplate } from '../templates/lazy.js';
import { isMapping } from '../templates/truth.js';
import { didYouMean } from './suggest.js';
import type { ArgsAt } from './types.js';

export type ArgType = 'string' | 'bool' | 'int' | 'list' | 'mapping' | 'any';

/** The argument spec of a module: name → type, and which are required. */
export interface ArgSpec {
  readonly types: Readonly<Record<string, ArgType>>;
  readonly required?: readonly string[];
  /** Pairs of arguments that may not be combined. */
  readonly exclusive?: readonly (readonly [string, string])[];
  /** At least one of these must be given. */
  readonly oneOf?: readonly string[];
}

const templated = (v: unknown) => typeof v === 'string' && hasTemplate(v);

function typeOk(v: unknown, t: ArgType): boolean {
  if (t === 'any' || templated(v)) return true;
  switch (t) {
    case 'string':
      return typeof v === 'string' || typeof v === 'number';
    case 'bool':
      return typeof v === 'boolean' || (typeof v === 'string' && /^(yes|no|true|false|on|off|1|0)$/i.test(v));
    case 'int':
      return (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^\d+$/.test(v));
    case 'list':
      return Array.isArray(v);
    case 'mapping':
      return isMapping(v);
  }
}

const TYPE_NAMES: Record<ArgType, string> = {
  string: 'a string',
  bool: 'a boolean',
  int: 'an integer',
  list: 'a list',
  mapping: 'a mapping',
  any: 'a value',
};

/** Checks a module's arguments against its spec; throws PlaybookError naming the argument's line. */
export function checkArgs(module: string, args: unknown, spec: ArgSpec, at: ArgsAt): Record<string, unknown> {
  if (!isMapping(args)) throw new PlaybookError(`module ${module} expects a mapping of arguments`, at.loc);
  for (const [k, v] of Object.entries(args)) {
    const t = spec.types[k];
    if (!t) throw new PlaybookError(`unknown argument '${k}' for module ${module}${didYouMean(k, Object.keys(spec.types))}`, at.keyLoc(k));
    if (!typeOk(v, t)) throw new PlaybookError(`argument '${k}' of module ${module} must be ${TYPE_NAMES[t]}`, at.keyLoc(k));
  }
  for (const k of spec.required ?? []) if (!(k in args)) throw new PlaybookError(`module ${module} needs argument '${k}'`, at.loc);
  for (const [a, b] of spec.exclusive ?? []) {
    if (a in args && b in args) throw new PlaybookError(`module ${module}: '${a}' and '${b}' cannot be used together`, at.keyLoc(b));
  }
  if (spec.oneOf && !spec.oneOf.some((k) => k in args)) {
    throw new PlaybookError(`module ${module} needs one of: ${spec.oneOf.join(', ')}`, at.loc);
  }
  return args;
}

/** Run-time: a rendered argument as a string (numbers accepted). */
export function str(args: Record<string, unknown>, key: string): string | undefined {
  const v = args[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new Error(`argument '${key}' must be a string`);
}

/** Run-time: a rendered argument as a boolean (Ansible's yes/no/true/false/on/off/1/0). */
export function bool(args: Record<string, unknown>, key: string, dflt: boolean): boolean {
  const v = args[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string' && /^(yes|true|on|1)$/i.test(v.trim())) return true;
  if (typeof v === 'string' && /^(no|false|off|0)$/i.test(v.trim())) return false;
  throw new Error(`argument '${key}' must be a boolean, got ${JSON.stringify(v)}`);
}

/** Run-time: a rendered argument as a non-negative integer. */
export function int(args: Record<string, unknown>, key: string): number | undefined {
  const v = args[key];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 0) throw new Error(`argument '${key}' must be a non-negative integer, got ${JSON.stringify(v)}`);
  return n;
}

/** Free-form module input (`command: ls -l`) becomes `{ _raw: "ls -l" }`; a mapping passes through. */
export function freeForm(module: string, raw: unknown, at: ArgsAt, rawKey = 'cmd'): Record<string, unknown> {
  if (typeof raw === 'string') return { [rawKey]: raw };
  if (raw === null || raw === undefined) return {};
  if (isMapping(raw)) return { ...raw };
  throw new PlaybookError(`module ${module} expects a command string or a mapping of arguments`, at.loc);
}
