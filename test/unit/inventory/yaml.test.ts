/** YAML inventories: nested children, vars, host ranges, YAML 1.1 scalars (PyYAML rules). */
import { afterEach, describe, expect, it } from 'vitest';
import { loadInventory } from '../../../src/inventory/index.js';
import { tmpDir, type TmpDir } from './tmp-inventory.js';

let t: TmpDir;
afterEach(() => t?.cleanup());

async function yaml(text: string, name = 'hosts.yml') {
  t?.cleanup();
  t = tmpDir();
  t.write({ [name]: text });
  return loadInventory([name], { cwd: t.dir });
}

describe('YAML inventory', () => {
  it('reads nested children, vars and ranges', async () => {
    const inv = await yaml(`
all:
  vars: {ntp: 198.18.0.1}
  children:
    hypervisors:
      children:
        dc1:
          hosts:
            hv[01:02].dc1: {rack: r1}
            hv03.dc1:2201:
        dc2:
          hosts: hv01.dc2
      vars:
        bridge: br0
`);
    expect(inv.groups.get('all')?.children).toEqual(['ungrouped', 'hypervisors']);
    expect(inv.groups.get('hypervisors')?.children).toEqual(['dc1', 'dc2']);
    expect(inv.groups.get('dc1')?.hosts).toEqual(['hv01.dc1', 'hv02.dc1', 'hv03.dc1']);
    expect(inv.hosts.get('hv01.dc1')?.vars).toEqual({ ntp: '198.18.0.1', bridge: 'br0', rack: 'r1' });
    expect(inv.hosts.get('hv03.dc1')?.vars).toEqual({ ntp: '198.18.0.1', bridge: 'br0', ansible_port: 2201 });
    expect(inv.hosts.get('hv01.dc2')?.groups).toEqual(['all', 'hypervisors', 'dc2']);
  });

  it('puts hosts listed directly under all into ungrouped', async () => {
    const inv = await yaml('all:\n  hosts:\n    solo:\n');
    expect(inv.groups.get('all')?.hosts).toEqual(['solo']);
    expect(inv.groups.get('ungrouped')?.hosts).toEqual(['solo']);
  });

  it('resolves scalars as PyYAML (YAML 1.1) does', async () => {
    const inv = await yaml(`
g:
  hosts:
    h:
      a: yes
      b: y
      c: 0755
      d: 1:20
      e: 1e3
      f: 1.5e+3
      g: 2024-05-01
      h: ~
      i: 09
      j: !unsafe '{{ not_templated }}'
`);
    expect(inv.hosts.get('h')?.vars).toEqual({
      a: true,
      b: 'y',
      c: 493,
      d: 80,
      e: '1e3',
      f: 1500,
      g: '2024-05-01',
      h: null,
      i: '09',
      j: '{{ not_templated }}',
    });
  });

  it('replaces (does not deep-merge) dict vars, like hash_behaviour=replace', async () => {
    const inv = await yaml(`
all:
  vars: {sysctl: {a: 1, b: 2}}
  children:
    g:
      hosts: {h: }
      vars: {sysctl: {b: 3}}
`);
    expect(inv.hosts.get('h')?.vars.sysctl).toEqual({ b: 3 });
  });

  it('warns about and skips unknown keys and non-mapping groups', async () => {
    const inv = await yaml('g:\n  hosts: {h: }\n  host: {x: }\nbad: [1, 2]\n');
    expect([...inv.groups.keys()]).toEqual(['all', 'ungrouped', 'g']);
    expect(inv.warnings.join('\n')).toContain("skipping unexpected key 'host' in group 'g'");
    expect(inv.warnings.join('\n')).toContain("skipping 'bad'");
  });

  it('reads JSON files as YAML', async () => {
    const inv = await yaml('{"web": {"hosts": {"w1": {"port": 8080}}}}', 'hosts.json');
    expect(inv.hosts.get('w1')?.vars).toEqual({ port: 8080 });
  });

  it('refuses inventory plugin configs with the line', async () => {
    await expect(yaml('# aws\nplugin: amazon.aws.aws_ec2\nregions: [x]\n')).rejects.toThrow(
      'hosts.yml:2: inventory plugin configuration files (plugin: amazon.aws.aws_ec2) are not supported',
    );
  });
});

describe('YAML inventory: aliases and nesting that would hang or crash the loader', () => {
  it('refuses an alias inside its own anchor, with its line', async () => {
    await expect(yaml('all: &x {children: {g: *x}}\n')).rejects.toThrow(
      "hosts.yml:1: YAML alias '*x' is used inside its own anchor '&x' (a loop)",
    );
  });

  it('refuses a billion-laughs group_vars file quickly, with its line', async () => {
    t?.cleanup();
    t = tmpDir();
    const levels = 'bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(',')}]`);
    t.write({ 'hosts.ini': '[g]\nh1\n', 'group_vars/g.yml': ['a: &a [1,2,3,4,5,6,7,8,9]', ...levels, ''].join('\n') });
    const started = Date.now();
    await expect(loadInventory(['hosts.ini'], { cwd: t.dir })).rejects.toThrow(
      /g\.yml:6: YAML aliases expand to more than 100,000 values \(an alias bomb\?\)$/,
    );
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('refuses values nested more than 100 levels deep', async () => {
    await expect(yaml(`all:\n  vars:\n    x: ${'['.repeat(120)}${']'.repeat(120)}\n`)).rejects.toThrow(
      'hosts.yml:3: YAML nested more than 100 levels deep',
    );
  });
});
