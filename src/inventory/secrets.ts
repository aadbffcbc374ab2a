/**
 * Which vars hold secrets, for masking in `fleet inventory` output: Ansible's password vars, any name
 * containing password/passphrase/secret/token, and names a host lists in `fleet_secret_vars`.
 */
import { MASK } from '../core/redact.js';
import type { Vars } from '../core/inventory.js';

const ALWAYS = new Set([
  'ansible_become_password',
  'ansible_become_pass',
  'ansible_sudo_pass',
  'ansible_password',
  'ansible_ssh_pass',
  'ansible_ssh_password',
]);
const SECRET_NAME = /password|passphrase|secret|token/i;

/** The var that lists more secret var names (a list, or a comma-separated string). */
export const SECRET_LIST_VAR = 'fleet_secret_vars';

/** Extra secret names declared in `vars.fleet_secret_vars`. */
export function declaredSecretVars(vars: Vars): Set<string> {
  const v = vars[SECRET_LIST_VAR];
  const names = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',') : [];
  return new Set(
    names
      .filter((n): n is string => typeof n === 'string')
      .map((n) => n.trim())
      .filter(Boolean),
  );
}

/** True when a var of this name holds a secret. */
export function isSecretVar(name: string, declared: ReadonlySet<string> = new Set()): boolean {
  if (name === SECRET_LIST_VAR) return false;
  return ALWAYS.has(name) || declared.has(name) || SECRET_NAME.test(name);
}

/** A copy of `vars` with every secret value (at any depth, by key name) replaced by "********". */
export function maskSecretVars(vars: Vars, declared: ReadonlySet<string> = declaredSecretVars(vars)): Vars {
  const mask = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(mask);
    if (v === null || typeof v !== 'object') return v;
    const out: Vars = {};
    for (const [k, val] of Object.entries(v)) out[k] = isSecretVar(k, declared) && val !== null && val !== undefined ? MASK : mask(val);
    return out;
  };
  return mask(vars) as Vars;
}
