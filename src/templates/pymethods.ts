/**
 * Python methods that Ansible playbooks call on values (`x.startswith('br')`, `out.split()`,
 * `d.items()`). Looked up by the strict attribute accessor when the JavaScript value has no such member.
 */
import { isMapping } from './truth.js';

type Method = (...args: unknown[]) => unknown;

const s = (v: unknown) => (typeof v === 'string' ? v : String(v));

function strip(v: string, chars: unknown, left: boolean, right: boolean): string {
  const set = chars === undefined || chars === null ? null : s(chars);
  const isStrip = (c: string) => (set === null ? /\s/.test(c) : set.includes(c));
  let a = 0;
  let b = v.length;
  if (left) while (a < b && isStrip(v[a] ?? '')) a++;
  if (right) while (b > a && isStrip(v[b - 1] ?? '')) b--;
  return v.slice(a, b);
}

function stringMethod(str: string, name: string): Method | undefined {
  switch (name) {
    case 'startswith':
      return (p) => (Array.isArray(p) ? p.some((x) => str.startsWith(s(x))) : str.startsWith(s(p)));
    case 'endswith':
      return (p) => (Array.isArray(p) ? p.some((x) => str.endsWith(s(x))) : str.endsWith(s(p)));
    case 'split':
      return (sep, max) => {
        const parts =
          sep === undefined || sep === null
            ? str
                .trim()
                .split(/\s+/)
                .filter((x) => x !== '')
            : str.split(s(sep));
        if (typeof max === 'number' && max >= 0 && parts.length > max + 1) {
          const joiner = sep === undefined || sep === null ? ' ' : s(sep);
          return [...parts.slice(0, max), parts.slice(max).join(joiner)];
        }
        return parts;
      };
    case 'splitlines':
      return () => str.split(/\r?\n/).filter((_, i, a) => i < a.length - 1 || a[i] !== '');
    case 'strip':
      return (c) => strip(str, c, true, true);
    case 'lstrip':
      return (c) => strip(str, c, true, false);
    case 'rstrip':
      return (c) => strip(str, c, false, true);
    case 'lower':
      return () => str.toLowerCase();
    case 'upper':
      return () => str.toUpperCase();
    case 'replace':
      return (a, b) => str.split(s(a)).join(s(b));
    case 'find':
      return (x) => str.indexOf(s(x));
    case 'isdigit':
      return () => /^\d+$/.test(str);
    case 'join':
      return (list) => (Array.isArray(list) ? list.map(s).join(str) : '');
    case 'format':
      return (...args) => {
        let i = 0;
        return str.replace(/\{(\d*)\}/g, (_, n: string) => s(args[n === '' ? i++ : Number(n)]));
      };
    default:
      return undefined;
  }
}

function mappingMethod(obj: Record<string, unknown>, name: string): Method | undefined {
  switch (name) {
    case 'items':
      return () => Object.entries(obj);
    case 'keys':
      return () => Object.keys(obj);
    case 'values':
      return () => Object.values(obj);
    case 'get':
      return (k, d) => (s(k) in obj ? obj[s(k)] : (d ?? null));
    default:
      return undefined;
  }
}

function listMethod(list: unknown[], name: string): Method | undefined {
  switch (name) {
    case 'index':
      return (x) => list.indexOf(x);
    case 'count':
      return (x) => list.filter((y) => y === x).length;
    default:
      return undefined;
  }
}

/** The Python method `name` bound to `value`, if it is one we emulate. */
export function pyMethod(value: unknown, name: string): Method | undefined {
  if (typeof value === 'string') return stringMethod(value, name);
  if (Array.isArray(value)) return listMethod(value, name);
  if (isMapping(value)) return mappingMethod(value, name);
  return undefined;
}
