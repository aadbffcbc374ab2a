/**
 * Vars written by the playbook author (inventory, play vars, vars_files, -e) may themselves be
 * templates (`conf: "/etc/{{ app }}"`), resolved when USED, as in Ansible: a var that references a
 * registered result only makes sense after that task ran. Such values are wrapped in LazyValue and
 * the template engine resolves them on lookup. Data from hosts (registered output, facts) is never
 * wrapped, so remote output can never be executed as a template.
 */
import { isMapping } from './truth.js';

/** A user-written value that contains at least one template string, resolved on lookup. */
export class LazyValue {
  constructor(readonly raw: unknown) {}
}

/** True when a string holds Jinja syntax. */
export function hasTemplate(s: string): boolean {
  return s.includes('{{') || s.includes('{%');
}

/** True when any string inside `value` holds Jinja syntax. */
export function containsTemplate(value: unknown): boolean {
  if (typeof value === 'string') return hasTemplate(value);
  if (Array.isArray(value)) return value.some(containsTemplate);
  if (isMapping(value)) return Object.values(value).some(containsTemplate);
  return false;
}

/** Copies `vars`, wrapping each top-level value that contains a template in a LazyValue. */
export function markLazy(vars: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(vars)) out[k] = !(v instanceof LazyValue) && containsTemplate(v) ? new LazyValue(v) : v;
  return out;
}
