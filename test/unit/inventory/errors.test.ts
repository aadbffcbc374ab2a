/** Bad inventories fail before anything connects, with one line naming file and line. */
import { afterEach, describe, expect, it } from 'vitest';
import { InventoryError } from '../../../src/core/errors.js';
import { loadInventory } from '../../../src/inventory/index.js';
import { tmpDir, type TmpDir } from './tmp-inventory.js';

let t: TmpDir | undefined;
afterEach(() => {
  t?.cleanup();
  t = undefined;
});

async function failure(files: Record<string, string>, sources: string[]): Promise<InventoryError> {
  t?.cleanup();
  t = tmpDir();
  t.write(files);
  try {
    await loadInventory(sources, { cwd: t.dir });
  } catch (e) {
    expect(e).toBeInstanceOf(InventoryError);
    expect((e as Error).message).not.toContain('\n');
    return e as InventoryError;
  }
  throw new Error('expected loadInventory to fail');
}

const ini = (text: string) => failure({ 'hosts.ini': text }, ['hosts.ini']);
const yml = (text: string) => failure({ 'hosts.yml': text }, ['hosts.yml']);

describe('INI errors', () => {
  it.each([
    ['[web]\nweb1\n[web:nope]\n', 'hosts.ini:3: section [web:nope] has unknown type: nope'],
    [
      '[web]\n[bad name]\n',
      "hosts.ini:2: invalid section entry: '[bad name]' (no spaces or other invalid characters allowed in a section name)",
    ],
    ['[web]\nweb1 novalue\n', 'hosts.ini:2: expected key=value host variable assignment, got: novalue'],
    ['[web]\nweb1 a="x\n', `hosts.ini:2: cannot parse host line 'web1 a="x': unclosed double quote`],
    ['[web]\nweb1\n[web:vars]\njust-a-word\n', 'hosts.ini:4: expected key=value, got: just-a-word'],
    ['[p:children]\nmissing\n[web]\nw\n', 'hosts.ini:2: section [p:children] includes undefined group: missing'],
    ['[nogroup:vars]\nx=1\n', 'hosts.ini:1: section [nogroup:vars] is not valid for undefined group: nogroup'],
    ['[web]\n\n\nhv[01:100].dc1\n', 'hosts.ini:4: host range [01:100] must use equal-length begin and end (zero padding)'],
    ['[web]\nhv[1:]\n', 'hosts.ini:2: host range [1:] must specify an end value'],
    ['[web]\nhv[a:3]\n', "hosts.ini:2: host range [a:3]: 'a' is not a number"],
    ['[web]\nweb1:\n', "hosts.ini:2: invalid host pattern 'web1:': a trailing ':' is reserved for a port"],
    ['---\nall:\n', "hosts.ini:1: invalid host pattern '---': '---' is normally a sign this is a YAML file"],
    ['[a:children]\nb\n[b:children]\na\n', "hosts.ini:4: adding group 'a' as child to 'b' creates a recursive dependency loop"],
    ['[g]\nh\n[g:vars]\nansible_group_priority=high\n', "hosts.ini:4: ansible_group_priority must be an integer, got 'high'"],
  ])('%j', async (text, message) => {
    expect((await ini(text)).message).toBe(message);
  });

  it('refuses a host defined twice with different ansible_host values, naming both places', async () => {
    const e = await ini('[a]\nhv1 ansible_host=198.18.0.1\n[b]\nhv1 ansible_host=198.18.0.2\n');
    expect(e.message).toBe(
      "hosts.ini:4: host 'hv1' is defined twice with different ansible_host values ('198.18.0.1' at hosts.ini:2, '198.18.0.2' here)",
    );
  });

  it('accepts the same host twice with the same ansible_host', async () => {
    t = tmpDir();
    t.write({ 'h.ini': '[a]\nhv1 ansible_host=198.18.0.1\n[b]\nhv1 ansible_host=198.18.0.1\n' });
    const inv = await loadInventory(['h.ini'], { cwd: t.dir });
    expect(inv.hosts.get('hv1')?.groups).toEqual(['all', 'a', 'b']);
  });

  it('names both files when the conflict spans two sources', async () => {
    const e = await failure(
      { 'a.ini': '[a]\nhv1 ansible_host=198.18.0.1\n', 'b.yml': 'b:\n  hosts:\n    hv1:\n      ansible_host: 198.18.0.9\n' },
      ['a.ini', 'b.yml'],
    );
    expect(e.message).toBe(
      "b.yml:4: host 'hv1' is defined twice with different ansible_host values ('198.18.0.1' at a.ini:2, '198.18.0.9' here)",
    );
  });
});

describe('YAML errors', () => {
  it.each([
    ['all:\n  hosts:\n    a: 1\n   b: 2\n', /^hosts\.yml:4: invalid YAML: /],
    [
      'all:\n  children:\n    web:\n      hosts: [w1, w2]\n',
      /^hosts\.yml:4: invalid "hosts" entry for group "web": requires a mapping, found a list$/,
    ],
    ['web:\n  hosts:\n    123:\n', /^hosts\.yml:3: host pattern 123 must be a string: enclose numbers in quotes$/],
    ['web:\n  hosts:\n    ok1:\n    hv[01:1x]:\n', /^hosts\.yml:4: host range \[01:1x\]: '1x' is not a number$/],
    ['web:\n  hosts:\n    w1: just-a-string\n', /^hosts\.yml:3: vars of host 'w1' must be a mapping, got a string$/],
    ['a: {hosts: {h: }}\n---\nb: {}\n', /^hosts\.yml:2: invalid YAML: /],
    ['- just\n- a list\n', /^hosts\.yml:1: a YAML inventory must be a mapping of groups, got a list$/],
    [
      'web:\n  hosts:\n    w1:\n      pw: !vault |\n        $ANSIBLE_VAULT;1.1;AES256\n        6162\n',
      /^hosts\.yml:4: invalid YAML: ansible-vault encrypted values \(!vault\) are not supported$/,
    ],
  ])('%j', async (text, message) => {
    expect((await yml(text)).message).toMatch(message);
  });
});

describe('sources', () => {
  it('names a missing -i path and suggests the host-list form', async () => {
    const e = await failure({}, ['nope/hosts.ini']);
    expect(e.message).toBe('inventory source not found: nope/hosts.ini (for a single host, add a comma: -i nope/hosts.ini,)');
  });

  it('refuses TOML and an empty source list', async () => {
    expect((await failure({ 'h.toml': '[g]\n' }, ['h.toml'])).message).toBe('h.toml: TOML inventories are not supported: use INI or YAML');
    await expect(loadInventory([])).rejects.toThrow('no inventory source given');
  });

  it('reports vault-encrypted group_vars files by name', async () => {
    const e = await failure({ 'h.ini': '[g]\nh\n', 'group_vars/g.yml': '$ANSIBLE_VAULT;1.1;AES256\n3132\n' }, ['h.ini']);
    expect(e.message).toMatch(/group_vars\/g\.yml:1: ansible-vault encrypted files are not supported$/);
  });

  it('names a YAML error in a group_vars file with its line', async () => {
    const e = await failure({ 'h.ini': '[g]\nh\n', 'group_vars/g.yml': 'a: 1\nb: [unclosed\n' }, ['h.ini']);
    expect(e.message).toMatch(/group_vars\/g\.yml:\d: invalid YAML: /);
  });
});
