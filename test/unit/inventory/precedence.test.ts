/**
 * Variable precedence as ansible-core's VariableManager applies it (default VARIABLE_PRECEDENCE):
 * inline all < inline groups (depth, ansible_group_priority, name) < group_vars/all < group_vars/<group>
 * < inline host vars < host_vars/<host>; extra vars come later (connectionSpec / outputs).
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadInventory } from '../../../src/inventory/index.js';
import { tmpDir, type TmpDir } from './tmp-inventory.js';

let t: TmpDir;
afterEach(() => t?.cleanup());

async function load(files: Record<string, string>, sources = ['hosts.ini']) {
  t?.cleanup();
  t = tmpDir();
  t.write(files);
  return loadInventory(sources, { cwd: t.dir });
}

describe('group order', () => {
  it('deeper groups win over shallower ones, whatever their priority', async () => {
    const inv = await load({
      'hosts.ini':
        '[parent:children]\nchild\n[child]\nh\n[parent:vars]\nx=parent\nansible_group_priority=100\n[child:vars]\nx=child\n[all:vars]\nx=all\n',
    });
    expect(inv.hosts.get('h')?.vars.x).toBe('child');
    expect(inv.hosts.get('h')?.groups).toEqual(['all', 'parent', 'child']);
  });

  it('at the same depth, higher ansible_group_priority wins, then the later name', async () => {
    const inv = await load({
      'hosts.ini': [
        '[alpha]\nh1\nh2',
        '[zulu]\nh1\nh2',
        '[alpha:vars]\nx=alpha',
        '[zulu:vars]\nx=zulu',
        '[prio]\nh2',
        '[prio:vars]\nx=prio\nansible_group_priority=7',
      ].join('\n'),
    });
    // h1: alpha and zulu both priority 1: sorted by name, zulu is merged last.
    expect(inv.hosts.get('h1')?.vars.x).toBe('zulu');
    // h2: prio (7) is merged after zulu (1) even though 'prio' < 'zulu'.
    expect(inv.hosts.get('h2')?.vars.x).toBe('prio');
    expect(inv.hosts.get('h2')?.groups).toEqual(['all', 'alpha', 'zulu', 'prio']);
  });

  it('keeps ansible_group_priority out of host vars (a plain var only in group_vars files)', async () => {
    const inv = await load({
      'hosts.ini': '[g]\nh\n[g:vars]\nansible_group_priority=3\n',
      'group_vars/g.yml': 'other: 1\n',
    });
    expect(inv.hosts.get('h')?.vars).toEqual({ other: 1 });
    expect(inv.groups.get('g')?.vars).toEqual({ ansible_group_priority: 3, other: 1 });
  });

  it('takes the priority from YAML group vars too, as a string or a number', async () => {
    const inv = await load(
      {
        'hosts.yml': 'a:\n  hosts: {h: }\n  vars: {x: a, ansible_group_priority: "9"}\nb:\n  hosts: {h: }\n  vars: {x: b}\n',
      },
      ['hosts.yml'],
    );
    expect(inv.hosts.get('h')?.vars.x).toBe('a');
  });
});

describe('group_vars/ and host_vars/', () => {
  it('layers files over inline vars: a shallow group file beats a deep group inline', async () => {
    const inv = await load({
      'hosts.ini': '[parent:children]\nchild\n[child]\nh x=host-inline\n[child:vars]\ny=child-inline\nz=child-inline\n',
      'group_vars/all.yml': 'y: all-file\nz: all-file\n',
      'group_vars/parent.yml': 'z: parent-file\n',
      'host_vars/h.yml': 'w: host-file\n',
    });
    expect(inv.hosts.get('h')?.vars).toEqual({ x: 'host-inline', y: 'all-file', z: 'parent-file', w: 'host-file' });
  });

  it('host_vars files beat inline host vars, group_vars files beat inline group vars', async () => {
    const inv = await load({
      'hosts.ini': '[g]\nh x=inline\n[g:vars]\ny=inline\n',
      'group_vars/g.yml': 'y: file\n',
      'host_vars/h.yml': 'x: file\n',
    });
    expect(inv.hosts.get('h')?.vars).toEqual({ x: 'file', y: 'file' });
    expect(inv.groups.get('g')?.vars).toEqual({ y: 'file' });
  });

  it('uses the first of NAME, NAME.yml, NAME.yaml, NAME.json only', async () => {
    const inv = await load({
      'hosts.ini': '[g]\nh\n[k]\nh\n',
      'group_vars/g.yml': 'from: yml\n',
      'group_vars/g.json': '{"from": "json", "extra": 1}',
      'group_vars/k.json': '{"k": "json"}',
    });
    expect(inv.hosts.get('h')?.vars).toEqual({ from: 'yml', k: 'json' });
  });

  it('merges every file of a NAME/ directory in name order, recursively, skipping other extensions', async () => {
    const inv = await load({
      'hosts.ini': '[g]\nh\n',
      'group_vars/g/10.yml': 'a: 10\nb: 10\n',
      'group_vars/g/20.yaml': 'b: 20\n',
      'group_vars/g/sub/30': 'c: 30\n',
      'group_vars/g/notes.txt': 'a: ignored\n',
      'group_vars/g/backup.yml~': 'a: ignored\n',
      'group_vars/g/.hidden.yml': 'a: ignored\n',
    });
    expect(inv.hosts.get('h')?.vars).toEqual({ a: 10, b: 20, c: 30 });
  });

  it('reads vars dirs of each -i source; a later source’s files win', async () => {
    const inv = await load(
      {
        'one/hosts.ini': '[g]\nh\n',
        'one/group_vars/g.yml': 'x: one\ny: one\n',
        'two/hosts.yml': 'g:\n  hosts: {h2: }\n',
        'two/group_vars/g.yml': 'x: two\n',
      },
      ['one/hosts.ini', 'two'],
    );
    expect(inv.hosts.get('h')?.vars).toEqual({ x: 'two', y: 'one' });
  });

  it('ignores empty vars files and refuses non-mapping ones with the file', async () => {
    await expect(load({ 'hosts.ini': '[g]\nh\n', 'group_vars/g.yml': '- a\n- b\n' })).rejects.toThrow(
      `${path.join('group_vars', 'g.yml')}:1: expected a mapping of variables, got a list`,
    );
    const inv = await load({ 'hosts.ini': '[g]\nh\n', 'group_vars/g.yml': '# nothing yet\n' });
    expect(inv.hosts.get('h')?.vars).toEqual({});
  });
});
