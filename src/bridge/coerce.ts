/**
 * Inventory values arrive as YAML scalars or INI strings ("yes", "1500", "8.8.8.8,1.1.1.1").
 * These turn them into typed values, or return a problem description for paramError.
 */

const TRUE = new Set(['true', 'yes', 'on', '1']);
const FALSE = new Set(['false', 'no', 'off', '0']);

/** Ansible-style boolean. */
export function toBool(v: unknown): boolean | string {
  if (typeof v === 'boolean') return v;
  if (v === 0 || v === 1) return v === 1;
  if (typeof v === 'string') {
    const l = v.trim().toLowerCase();
    if (TRUE.has(l)) return true;
    if (FALSE.has(l)) return false;
  }
  return 'must be a boolean (true/false, yes/no, on/off)';
}

/** Non-negative decimal integer. */
export function toInt(v: unknown): number | string {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  if (typeof v === 'string' && /^\d{1,9}$/.test(v.trim())) return Number(v.trim());
  return 'must be a whole number';
}

/** A list of strings: a YAML list, or one string separated by commas and/or spaces. */
export function toStringList(v: unknown): string[] | string {
  const items = Array.isArray(v) ? v : typeof v === 'string' ? v.split(/[\s,]+/).filter((x) => x !== '') : null;
  if (!items || !items.every((x): x is string => typeof x === 'string')) return 'must be a list of strings';
  return items.map((x) => x.trim());
}

/** A plain string (numbers are not accepted: an address or name typed as a number is a mistake). */
export function toStr(v: unknown): string | { problem: string } {
  return typeof v === 'string' ? v : { problem: 'must be a string' };
}
