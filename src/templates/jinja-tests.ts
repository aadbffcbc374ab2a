/** Ansible's tests on registered results and strings (`r is failed`, `x is match('^br')`). */
import { pyStr } from './filters.js';
import { pyRegex } from './regex.js';
import { isMapping, truthy } from './truth.js';

type Test = (value: unknown, ...args: unknown[]) => boolean;

const field =
  (name: string): Test =>
  (value) =>
    isMapping(value) && truthy(value[name]);

export const TESTS: Record<string, Test> = {
  failed: field('failed'),
  failure: field('failed'),
  succeeded: (v) => isMapping(v) && !truthy(v['failed']),
  success: (v) => isMapping(v) && !truthy(v['failed']),
  successful: (v) => isMapping(v) && !truthy(v['failed']),
  changed: field('changed'),
  change: field('changed'),
  skipped: field('skipped'),
  skip: field('skipped'),
  /** Anchored at the start, like Python's re.match. */
  match: (v, pattern) => pyRegex(`^(?:${pyStr(pattern)})`, {}).test(pyStr(v)),
  search: (v, pattern) => pyRegex(pyStr(pattern), {}).test(pyStr(v)),
  regex: (v, pattern) => pyRegex(pyStr(pattern), {}).test(pyStr(v)),
  contains: (v, item) => (Array.isArray(v) ? v.includes(item) : typeof v === 'string' ? v.includes(pyStr(item)) : false),
  in: (v, seq) =>
    Array.isArray(seq) ? seq.includes(v) : typeof seq === 'string' ? seq.includes(pyStr(v)) : isMapping(seq) ? pyStr(v) in seq : false,
  boolean: (v) => typeof v === 'boolean',
  integer: (v) => typeof v === 'number' && Number.isInteger(v),
  float: (v) => typeof v === 'number' && !Number.isInteger(v),
  list: (v) => Array.isArray(v),
  sequence: (v) => Array.isArray(v) || typeof v === 'string',
};
