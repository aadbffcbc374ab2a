/** Turning parsed YAML (Maps with typed keys) into the plain JSON-like values vars are made of. */
import type { Vars } from '../core/inventory.js';

/** How Python's json module writes a non-string dict key (what ansible-inventory prints). */
export function pyJsonKey(k: unknown): string {
  if (k === null || k === undefined) return 'null';
  if (typeof k === 'boolean') return k ? 'true' : 'false';
  return String(k);
}

/** Deep-converts Maps to objects and Sets to arrays. */
export function toPlain(v: unknown): unknown {
  if (v instanceof Map) {
    const out: Vars = {};
    for (const [k, val] of v) out[pyJsonKey(k)] = toPlain(val);
    return out;
  }
  if (v instanceof Set) return [...v].map(toPlain);
  if (Array.isArray(v)) return v.map(toPlain);
  return v;
}

/** A short name for a value's type, in messages ("got a list"). */
export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v) || v instanceof Set) return 'a list';
  if (v instanceof Map || typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'boolean') return 'a boolean';
  if (typeof v === 'number') return 'a number';
  return typeof v;
}
