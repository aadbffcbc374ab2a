/** ansible-inventory views: --list, --graph, --host, with secrets masked. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Inventory } from '../../../src/core/inventory.js';
import {
  hostMagicVars,
  inventoryGraph,
  inventoryHost,
  inventoryListJson,
  inventorySecretValues,
  isSecretVar,
  loadInventory,
  maskSecretVars,
} from '../../../src/inventory/index.js';
import { tmpDir, type TmpDir } from './tmp-inventory.js';

let t: TmpDir;
let inv: Inventory;
beforeEach(async () => {
  t = tmpDir();
  t.write({
    'hosts.ini': [
      'solo ansible_become_pass=pw1',
      '[web]',
      `w1 db_password=pw2 api_token=tok vault='{"secret_key": "k", "name": "n"}'`,
      'w2 omit=x inventory_file=y',
      '[dc:children]',
      'web',
      'empty',
      '[empty]',
      '[empty:vars]',
      'unused=1',
      '[dc:vars]',
      'fleet_secret_vars=["bmc_pin"]',
      'bmc_pin=1234',
    ].join('\n'),
  });
  inv = await loadInventory(['hosts.ini'], { cwd: t.dir });
});
afterEach(() => t.cleanup());

describe('inventoryListJson', () => {
  it('has ansible-inventory --list’s shape: no group vars, empty groups only as children, sorted keys', () => {
    const out = inventoryListJson(inv, { maskSecrets: false });
    expect(Object.keys(out)).toEqual(['_meta', 'all', 'dc', 'ungrouped', 'web']);
    expect(out.all).toEqual({ children: ['ungrouped', 'dc'] });
    expect(out.dc).toEqual({ children: ['web', 'empty'] });
    expect(out.web).toEqual({ hosts: ['w1', 'w2'] });
    expect(out.ungrouped).toEqual({ hosts: ['solo'] });
    expect(out._meta).toEqual({
      hostvars: {
        solo: { ansible_become_pass: 'pw1' },
        w1: { api_token: 'tok', bmc_pin: 1234, db_password: 'pw2', fleet_secret_vars: ['bmc_pin'], vault: { name: 'n', secret_key: 'k' } },
        // Magic var names (omit, inventory_file …) are dropped, as ansible-inventory does.
        w2: { bmc_pin: 1234, fleet_secret_vars: ['bmc_pin'] },
      },
    });
  });

  it('masks secrets by default, also nested and those named in fleet_secret_vars', () => {
    const hostvars = (inventoryListJson(inv) as { _meta: { hostvars: Record<string, Record<string, unknown>> } })._meta.hostvars;
    expect(hostvars.solo).toEqual({ ansible_become_pass: '********' });
    expect(hostvars.w1).toEqual({
      api_token: '********',
      bmc_pin: '********',
      db_password: '********',
      fleet_secret_vars: ['bmc_pin'],
      vault: { name: 'n', secret_key: '********' },
    });
    expect(JSON.stringify(inventoryListJson(inv))).not.toMatch(/pw1|pw2|"tok"|1234/);
  });

  it('adds extra vars to every host', () => {
    const out = inventoryListJson(inv, { extraVars: { ex: 1 } }) as { _meta: { hostvars: Record<string, Record<string, unknown>> } };
    expect(out._meta.hostvars.solo?.ex).toBe(1);
  });
});

describe('inventoryHost and inventoryGraph', () => {
  it('--host gives one host’s vars, masked', () => {
    expect(inventoryHost(inv, 'solo')).toEqual({ ansible_become_pass: '********' });
    expect(inventoryHost(inv, 'web[1]', { maskSecrets: false })).toEqual({ bmc_pin: 1234, fleet_secret_vars: ['bmc_pin'] });
    expect(() => inventoryHost(inv, 'web')).toThrow("--host needs exactly one host, 'web' matches 2");
    expect(() => inventoryHost(inv, 'nope')).toThrow("--host needs exactly one host, 'nope' matches 0");
  });

  it('--graph draws the tree like ansible-inventory', () => {
    expect(inventoryGraph(inv)).toBe(
      ['@all:', '  |--@ungrouped:', '  |  |--solo', '  |--@dc:', '  |  |--@web:', '  |  |  |--w1', '  |  |  |--w2', '  |  |--@empty:'].join(
        '\n',
      ),
    );
    expect(inventoryGraph(inv, 'web')).toBe('@web:\n  |--w1\n  |--w2');
    expect(() => inventoryGraph(inv, 'w1')).toThrow("'w1' is not a group");
  });
});

describe('secrets and magic vars', () => {
  it('knows the secret names', () => {
    for (const n of [
      'ansible_become_password',
      'ansible_become_pass',
      'ansible_password',
      'ansible_ssh_pass',
      'db_PASSWORD',
      'key_passphrase',
      'client_secret',
      'api_token',
      'slack_webhook',
      'vcenter_credentials',
      'ipam_api_key',
      'ApiKey',
    ]) {
      expect(isSecretVar(n), n).toBe(true);
    }
    expect(isSecretVar('ansible_user')).toBe(false);
    expect(isSecretVar('pin', new Set(['pin']))).toBe(true);
    expect(maskSecretVars({ list: [{ token: 'x' }], fleet_secret_vars: 'a, b', a: 1, b: null })).toEqual({
      list: [{ token: '********' }],
      fleet_secret_vars: 'a, b',
      a: '********',
      b: null,
    });
  });

  it('gives the redactor every value it masks: all hosts, nested, declared, and secret-named -e vars', () => {
    const hosts = [
      { vars: { api_token: 'tok-1', nested: { db: { password: ['pw-a', { x: 'pw-b' }] } }, ansible_user: 'root' } },
      { vars: { pin: 4242, fleet_secret_vars: ['pin'], api_token: 'tok-1' } },
    ];
    const values = inventorySecretValues(hosts, { hook_webhook: 'https://h/T/B/xyz', plain: 'visible' });
    expect(values.sort()).toEqual(['4242', 'https://h/T/B/xyz', 'pw-a', 'pw-b', 'tok-1']);
    // -e can declare a secret name too, and overrides a host's value (both are masked).
    expect(inventorySecretValues([{ vars: { pin: 1234 } }], { fleet_secret_vars: 'pin' })).toEqual(['1234']);
  });

  it('computes Ansible’s magic vars for templates', () => {
    const m = hostMagicVars(inv, inv.hosts.get('w1')!);
    expect(m).toMatchObject({ inventory_hostname: 'w1', inventory_hostname_short: 'w1', group_names: ['dc', 'web'] });
    expect((m.groups as Record<string, string[]>).dc).toEqual(['w1', 'w2']);
    expect(m.inventory_file).toBe(`${t.dir}/hosts.ini`);
  });
});
