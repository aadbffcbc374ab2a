/** INI inventories as Ansible reads them: sections, children declared later, vars sections, implicit groups. */
import { afterEach, describe, expect, it } from 'vitest';
import { loadInventory } from '../../../src/inventory/index.js';
import { tmpDir, type TmpDir } from './tmp-inventory.js';

let t: TmpDir;
afterEach(() => t?.cleanup());

async function ini(text: string) {
  t?.cleanup();
  t = tmpDir();
  t.write({ 'hosts.ini': text });
  return loadInventory(['hosts.ini'], { cwd: t.dir });
}

describe('INI inventory', () => {
  it('puts hosts before any section into ungrouped, and every group under all', async () => {
    const inv = await ini('lonely\n[web]\nweb1\n[db]\ndb1\n');
    expect(inv.groups.get('ungrouped')?.hosts).toEqual(['lonely']);
    expect(inv.groups.get('all')?.children).toEqual(['ungrouped', 'web', 'db']);
    expect(inv.hosts.get('web1')?.groups).toEqual(['all', 'web']);
    expect([...inv.hosts.keys()]).toEqual(['lonely', 'web1', 'db1']);
  });

  it('accepts [x:children] naming groups declared further down, in declaration order', async () => {
    const inv = await ini('[p:children]\nb\na\n[a]\nh1\n[b]\nh2\n');
    // Ansible attaches a pending child when its section appears: a first, then b.
    expect(inv.groups.get('p')?.children).toEqual(['a', 'b']);
    expect(inv.hosts.get('h2')?.groups).toEqual(['all', 'p', 'b']);
    expect(inv.groups.get('all')?.children).toEqual(['ungrouped', 'p']);
  });

  it('reads [g:vars] values as Python literals and keeps the rest of the line', async () => {
    const inv = await ini('[g]\nh\n[g:vars]\nn = 5\nflag=True\ntext = a b # not a comment\nlist=[1, "x"]\nempty=\n');
    expect(inv.groups.get('g')?.vars).toEqual({ n: 5, flag: true, text: 'a b # not a comment', list: [1, 'x'], empty: '' });
  });

  it('reads inline host vars with shell quoting and literal values', async () => {
    const inv = await ini(`[g]\nh1 a=1 b="two words" c='[1, 2]' d=yes e=0x10 # trailing comment\n`);
    expect(inv.hosts.get('h1')?.vars).toEqual({ a: 1, b: 'two words', c: [1, 2], d: 'yes', e: 16 });
  });

  it('expands ranges and takes the port of name:port as ansible_port', async () => {
    const inv = await ini('[g]\nhv[01:03].dc1:2222 x=1\n');
    expect([...inv.hosts.keys()]).toEqual(['hv01.dc1', 'hv02.dc1', 'hv03.dc1']);
    expect(inv.hosts.get('hv02.dc1')?.vars).toEqual({ ansible_port: 2222, x: 1 });
  });

  it('keeps only the first port of a host defined twice (as Ansible does), later vars win', async () => {
    const inv = await ini('[a]\nh:2201 x=1\n[b]\nh:2202 x=2\n');
    expect(inv.hosts.get('h')?.vars).toEqual({ ansible_port: 2201, x: 2 });
    expect(inv.hosts.get('h')?.groups).toEqual(['all', 'a', 'b']);
  });

  it('takes host vars as the host’s own, whatever section sets them', async () => {
    const inv = await ini('[a]\nh x=1\n[b]\nh y=2\n');
    expect(inv.hosts.get('h')?.vars).toEqual({ x: 1, y: 2 });
  });

  it('removes a host from ungrouped once it has a real group; [all:vars] and [ungrouped] work', async () => {
    const inv = await ini('h1\nh2\n[g]\nh1\n[ungrouped]\nh3\n[all:vars]\nk=v\n');
    expect(inv.groups.get('ungrouped')?.hosts).toEqual(['h2', 'h3']);
    expect(inv.hosts.get('h3')?.vars).toEqual({ k: 'v' });
  });

  it('loads an INI file without an extension (YAML is tried first, as Ansible does)', async () => {
    t = tmpDir();
    t.write({ hosts: '[web]\nweb1 ansible_host=198.18.0.5\n' });
    const inv = await loadInventory(['hosts'], { cwd: t.dir });
    expect(inv.hosts.get('web1')?.vars.ansible_host).toBe('198.18.0.5');
  });
});
