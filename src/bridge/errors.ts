import { InputError } from '../core/errors.js';

/** Shows a user value on one line, escaped and shortened, so a hostile value cannot forge output lines. */
export function showValue(value: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(value) ?? String(value);
  } catch {
    s = String(value);
  }
  // JSON escapes control characters but not U+2028/2029 or other format characters terminals honour.
  s = s.replace(
    /[\u0080-\u009f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** One-line error naming the host and the bridge variable: `host hv1: bridge var 'mtu' …`. */
export function paramError(host: string, name: string, problem: string, value?: unknown): InputError {
  const shown = value === undefined ? '' : ` (got ${showValue(value)})`;
  return new InputError(`host ${showValue(host).replace(/^"|"$/g, '')}: bridge var '${name}' ${problem}${shown}`);
}

/** One-line error about the host as a whole (stack detection, unsupported combinations). */
export function hostError(host: string, problem: string): InputError {
  return new InputError(`host ${showValue(host).replace(/^"|"$/g, '')}: ${problem}`);
}
