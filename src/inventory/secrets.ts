/**
 * Which vars hold secrets, for masking in `fleet inventory` output: Ansible's password vars, any name
 * containing password/passphrase/secret/token/credential/webhook/api_key (apikey), and names a host
 * lists in `fleet_secret_vars`. The same values are masked in everything a run stores or prints.
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
// Webhook URLs carry their token in the path (Slack, Teams, Discord).
const SECRET_NAME = /password|passphrase|secret|token|credential|webhook|api_?key/i;

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

/** Every value held under a secret-named key of `vars` (all leaves below such a key), as text. */
export function secretValuesOf(vars: Vars, declared: ReadonlySet<string> = declaredSecretVars(vars)): string[] {
  const out: string[] = [];
  const leaves = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (typeof v === 'number' || typeof v === 'bigint') out.push(String(v));
    else if (Array.isArray(v)) v.forEach(leaves);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(leaves);
  };
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (v === null || typeof v !== 'object') return;
    for (const [k, val] of Object.entries(v)) (isSecretVar(k, declared) ? leaves : walk)(val);
  };
  walk(vars);
  return out;
}

/**
 * Every secret value a run could print: what `fleet inventory` masks for ANY host of the inventory
 * (a task may read another host's vars through hostvars), with the -e vars applied on top, which
 * may add secret-named vars of their own. Feed these to the redactor.
 */
export function inventorySecretValues(hosts: Iterable<{ readonly vars: Vars }>, extraVars: Vars): string[] {
  const found = new Set<string>(secretValuesOf(extraVars));
  for (const h of hosts) {
    const merged = { ...h.vars, ...extraVars };
    for (const v of secretValuesOf(merged)) found.add(v);
  }
  return [...found];
}
