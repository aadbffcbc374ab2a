/**
 * How to reach a host, from its Ansible connection vars. Where Ansible accepts several names for one
 * setting (ansible_host / ansible_ssh_host), the last one in Ansible's list that is set wins, as there.
 */
import os from 'node:os';
import path from 'node:path';
import { InventoryError } from '../core/errors.js';
import type { ConnectionSpec, Host, Vars } from '../core/inventory.js';
import { ansibleBoolean } from './booleans.js';
import { typeName } from './plain.js';
import { SshArgsError, proxyJumpFromArgs } from './ssh-args.js';

const SSH = new Set([
  'ssh',
  'paramiko',
  'paramiko_ssh',
  'smart',
  'ansible.builtin.ssh',
  'ansible.builtin.paramiko_ssh',
  'ansible.legacy.ssh',
]);
const LOCAL = new Set(['local', 'ansible.builtin.local', 'ansible.legacy.local']);

/** The connection settings of `host`; extra vars (-e) override its vars. Throws InventoryError naming the host. */
export function connectionSpec(host: Host, extraVars: Vars = {}): ConnectionSpec {
  // Looked up rather than copied: this runs for every host of a run.
  const get = (n: string): unknown => (extraVars[n] !== undefined ? extraVars[n] : host.vars[n]);
  const fail = (msg: string): never => {
    throw new InventoryError(`host '${host.name}': ${msg}`);
  };
  const pick = (...names: string[]): [string, unknown] | undefined => {
    let found: [string, unknown] | undefined;
    for (const n of names) {
      const v = get(n);
      if (v !== undefined && v !== null) found = [n, v];
    }
    return found;
  };
  const text = (...names: string[]): string | undefined => {
    const f = pick(...names);
    if (!f) return undefined;
    const [name, v] = f;
    const secret = /pass/.test(name);
    if (typeof v !== 'string' && typeof v !== 'number')
      return fail(`${name} must be a string, got ${secret ? typeName(v) : JSON.stringify(v)}`);
    const s = String(v);
    // Jinja in connection vars would be dialled literally; refuse rather than connect somewhere wrong.
    if (s.includes('{{') || s.includes('{%'))
      return fail(`${name} is a template${secret ? '' : ` ('${s}')`}, which fleet does not expand in connection vars`);
    return s;
  };

  const kind = text('ansible_connection') ?? 'ssh';
  let connection: 'ssh' | 'local';
  if (SSH.has(kind)) connection = 'ssh';
  else if (LOCAL.has(kind)) connection = 'local';
  else return fail(`ansible_connection '${kind}' is not supported (use ssh or local)`);

  const portText = text('ansible_port', 'ansible_ssh_port');
  const port = portText === undefined ? 22 : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`ansible_port must be a port number (1-65535), got '${portText}'`);

  const becomeRaw = pick('ansible_become');
  const become = becomeRaw === undefined ? false : ansibleBoolean(becomeRaw[1]);
  if (become === undefined) fail(`ansible_become must be a boolean (yes/no, true/false), got ${JSON.stringify(becomeRaw?.[1])}`);

  let proxyJump: string | undefined;
  try {
    // ssh keeps the first value of an option, and Ansible passes common args before extra args.
    const fromCommon = proxyJumpFromArgs(text('ansible_ssh_common_args') ?? '');
    const fromExtra = proxyJumpFromArgs(text('ansible_ssh_extra_args') ?? '');
    proxyJump = fromCommon ?? fromExtra;
  } catch (e) {
    if (e instanceof SshArgsError) fail(e.message);
    throw e;
  }

  const key = text('ansible_private_key_file', 'ansible_ssh_private_key_file');
  return {
    name: host.name,
    connection,
    address: text('ansible_host', 'ansible_ssh_host') ?? host.name,
    port,
    user: text('ansible_user', 'ansible_ssh_user'),
    privateKeyFile: key === undefined ? undefined : key === '~' || key.startsWith('~/') ? path.join(os.homedir(), key.slice(1)) : key,
    proxyJump,
    become: become === true,
    becomeUser: text('ansible_become_user'),
    becomePassword: text('ansible_become_password', 'ansible_become_pass', 'ansible_sudo_pass'),
  };
}
