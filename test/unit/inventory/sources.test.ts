/** What -i accepts: host lists, directories of inventories (with Ansible's ignore rules), several -i. */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadInventory } from '../../../src/inventory/index.js';
import { tmpDir, type TmpDir } from './tmp-inventory.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/inventory');
let t: TmpDir | undefined;
afterEach(() => {
  t?.cleanup();
  t = undefined;
});

describe('-i host lists', () => {
  it('reads "hv1,hv2:2222," into ungrouped, ports split off', async () => {
    const inv = await loadInventory(['hv1, hv2:2222,']);
    expect(inv.groups.get('ungrouped')?.hosts).toEqual(['hv1', 'hv2']);
    expect(inv.hosts.get('hv2')?.vars).toEqual({ ansible_port: 2222 });
    expect(inv.sources).toEqual(['hv1, hv2:2222,']);
  });

  it('takes a single host with a trailing comma, and no ranges', async () => {
    const inv = await loadInventory(['hv[1:3],']);
    expect([...inv.hosts.keys()]).toEqual(['hv[1:3]']);
  });

  it('leaves hosts another source defined where they are', async () => {
    t = tmpDir();
    t.write({ 'h.ini': '[g]\nhv1 x=1\n' });
    const inv = await loadInventory(['h.ini', 'hv1,hv9,'], { cwd: t.dir });
    expect(inv.groups.get('g')?.hosts).toEqual(['hv1']);
    expect(inv.groups.get('ungrouped')?.hosts).toEqual(['hv9']);
  });

  it('prefers an existing file whose name has a comma', async () => {
    t = tmpDir();
    t.write({ 'a,b': '[g]\nfrom_file\n' });
    const inv = await loadInventory(['a,b'], { cwd: t.dir });
    expect([...inv.hosts.keys()]).toEqual(['from_file']);
  });
});

describe('-i directories', () => {
  it('reads files in name order, recursing, and skips what Ansible skips', async () => {
    const inv = await loadInventory([path.join(FIXTURES, 'mixed-dir')]);
    expect([...inv.groups.keys()]).toEqual(['all', 'ungrouped', 'compute', 'network', 'lab', 'gpu', 'racks', 'rack-a']);
    expect(inv.hosts.has('never1')).toBe(false); // hosts.ini: .ini is in INVENTORY_IGNORE_EXTS
    expect(inv.hosts.has('never2')).toBe(false); // .bak
    expect(inv.hosts.has('never3')).toBe(false); // hidden
    expect(inv.hosts.get('tool1.lab')?.groups).toEqual(['all', 'lab']); // more/40-extra.yaml
    expect(inv.warnings.some((w) => w.includes('hosts.ini') && w.includes('ignored'))).toBe(true);
    expect(inv.hosts.get('net2.lab')?.vars).toEqual({
      ansible_host: '198.18.5.2',
      uplink: 'bond1',
      bridge: 'br-net',
      dns: '198.18.0.53',
      cmdb: 'v2',
      site: 'lab',
    });
  });

  it('records the file that first defined each host', async () => {
    const inv = await loadInventory([path.join(FIXTURES, 'mixed-dir')]);
    expect(inv.hostSources.get('cmp1.lab')).toBe(path.join(FIXTURES, 'mixed-dir/10-static.yml'));
    expect(inv.hostSources.get('gpu1.lab')).toBe(path.join(FIXTURES, 'mixed-dir/30-cmdb.sh'));
  });

  it('treats an empty YAML file as an empty inventory', async () => {
    t = tmpDir();
    t.write({ 'inv/a.yml': '', 'inv/b.yml': '# placeholder\n', 'inv/c.yml': 'g:\n  hosts: {h: }\n' });
    const inv = await loadInventory(['inv'], { cwd: t.dir });
    expect([...inv.hosts.keys()]).toEqual(['h']);
  });

  it('lets an INI file in a later -i name groups from an earlier one as children', async () => {
    t = tmpDir();
    t.write({ 'a.yml': 'web:\n  hosts: {w1: }\n', 'b.ini': '[site:children]\nweb\n' });
    const inv = await loadInventory(['a.yml', 'b.ini'], { cwd: t.dir });
    expect(inv.groups.get('site')?.children).toEqual(['web']);
    expect(inv.hosts.get('w1')?.groups).toEqual(['all', 'site', 'web']);
  });
});

describe('file encoding', () => {
  it('ignores a UTF-8 byte-order mark', async () => {
    t = tmpDir();
    t.write({ 'h.ini': '\uFEFF[web]\nw1\n', 'group_vars/web.yml': '\uFEFFx: 1\n' });
    const inv = await loadInventory(['h.ini'], { cwd: t.dir });
    expect(inv.hosts.get('w1')?.vars).toEqual({ x: 1 });
  });
});
