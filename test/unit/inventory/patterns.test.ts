/** Host patterns and --limit, as ansible-core's InventoryManager evaluates them. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../../src/core/inventory.js';
import { applyLimit, loadInventory, selectHosts, splitHostPattern } from '../../../src/inventory/index.js';
import { tmpDir, type TmpDir } from './tmp-inventory.js';

const FIXTURE = path.resolve(import.meta.dirname, '../../fixtures/inventory/ini-dc/hosts.ini');
let inv: Inventory;
beforeAll(async () => {
  inv = await loadInventory([FIXTURE]);
});
let t: TmpDir | undefined;
afterEach(() => {
  t?.cleanup();
  t = undefined;
});

const names = (pattern: string) => selectHosts(inv, pattern).map((h) => h.name);
const DC1 = ['hv01.dc1', 'hv02.dc1', 'hv03.dc1', 'hv04.dc1', 'hv05.dc1', 'hv07.dc1', 'hv09.dc1', 'hv-a.dc1', 'hv-b.dc1', 'hv-c.dc1'];
const DC2 = ['hv08.dc2', 'hv09.dc2', 'hv10.dc2', 'hv20.dc2'];

describe('splitHostPattern', () => {
  it.each([
    ['a:b', ['a', 'b']],
    ['a, b ,c', ['a', 'b', 'c']],
    ['a:&b:!c', ['a', '&b', '!c']],
    ['web[0:9]:db', ['web[0:9]', 'db']],
    ['hv[01:10]', ['hv[01:10]']],
    ['198.18.0.1:22', ['198.18.0.1:22']],
    ['~hv.*', ['~hv.*']],
  ])('%s', (p, parts) => expect(splitHostPattern(p)).toEqual(parts));
});

describe('selectHosts', () => {
  it('all and * give every host, group members in Ansible’s order', () => {
    const all = ['bastion.example.test', 'lonely', ...DC1, ...DC2, 'st1.dc2', 'st2.dc2'];
    expect(names('all')).toEqual(all);
    expect(names('*')).toEqual(all);
  });

  it('a group gives its hosts, then its children’s', () => {
    expect(names('dc1')).toEqual(DC1);
    expect(names('hypervisors')).toEqual([...DC1, ...DC2]);
  });

  it('a host name gives that host', () => {
    expect(names('lonely')).toEqual(['lonely']);
  });

  it('globs match group names and host names', () => {
    expect(names('dc*')).toEqual([...DC1, ...DC2]);
    expect(names('hv0?.dc2')).toEqual(['hv08.dc2', 'hv09.dc2']);
    expect(names('hv-[ab].dc1')).toEqual(['hv-a.dc1', 'hv-b.dc1']);
    expect(names('hv-[!ab].dc1')).toEqual(['hv-c.dc1']);
  });

  it('~regex matches from the start of the name', () => {
    expect(names('~hv-[ab]')).toEqual(['hv-a.dc1', 'hv-b.dc1']);
    expect(names('~st\\d\\.')).toEqual(['st1.dc2', 'st2.dc2']);
    expect(names('~dc')).toEqual([...DC1, ...DC2]); // matches the groups dc1 and dc2
    // re.match anchors at the start: 'hv01.dc1' contains 'v0' but does not start with it.
    expect(() => names('~v0')).toThrow("host pattern '~v0' matches no host or group");
  });

  it('unions with : or , without duplicates', () => {
    expect(names('dc2:storage')).toEqual([...DC2, 'hv01.dc1', 'st1.dc2', 'st2.dc2']);
    expect(names('storage,dc1')).toEqual(['hv01.dc1', 'st1.dc2', 'st2.dc2', ...DC1.slice(1)]);
  });

  it('intersects with :& and excludes with :!, whatever their position', () => {
    expect(names('hypervisors:&storage')).toEqual(['hv01.dc1']);
    expect(names('hypervisors:!dc1')).toEqual(DC2);
    expect(names('!dc1:dc2')).toEqual(DC2);
    expect(names('&storage')).toEqual(['hv01.dc1', 'st1.dc2', 'st2.dc2']);
    expect(names('!hypervisors:!storage')).toEqual(['bastion.example.test', 'lonely']);
  });

  it('takes indexes and inclusive slices of a group', () => {
    expect(names('dc1[0]')).toEqual(['hv01.dc1']);
    expect(names('dc1[-1]')).toEqual(['hv-c.dc1']);
    expect(names('dc1[1:3]')).toEqual(['hv02.dc1', 'hv03.dc1', 'hv04.dc1']);
    expect(names('dc2[2:]')).toEqual(['hv10.dc2', 'hv20.dc2']);
    expect(names('hypervisors[0:9]')).toHaveLength(10);
    expect(names('dc1[0]:dc2[-1]')).toEqual(['hv01.dc1', 'hv20.dc2']);
  });

  it('gives an implicit localhost with a local connection', () => {
    const [h] = selectHosts(inv, 'localhost');
    expect(h?.name).toBe('localhost');
    expect(h?.vars.ansible_connection).toBe('local');
    expect(h?.vars.ntp).toBe('198.18.0.123'); // all group vars apply
  });

  it('names an unknown group or host in the error', () => {
    expect(() => names('typo')).toThrow("host pattern 'typo' matches no host or group in the inventory");
    expect(() => names('dc1:!typo')).toThrow("host pattern 'typo' matches");
    expect(() => names('dc1[10]')).toThrow("no hosts matched the subscripted pattern 'dc1[10]' (10 hosts)");
    expect(() => names('~hv(')).toThrow("invalid regex in host pattern '~hv('");
  });

  it('refuses an empty pattern or a stray bracket instead of selecting every host', () => {
    expect(() => names('')).toThrow('empty host pattern');
    expect(() => names(',')).toThrow('empty host pattern');
    expect(() => names('~[')).toThrow(/unbalanced|invalid regex/);
    expect(() => names('dc1:[')).toThrow("unbalanced '[' or ']' in host pattern 'dc1:['");
  });

  it('matches an empty group without error', async () => {
    t = tmpDir();
    t.write({ 'h.ini': '[empty]\n[g]\nh1\n' });
    const small = await loadInventory(['h.ini'], { cwd: t.dir });
    expect(selectHosts(small, 'empty')).toEqual([]);
  });
});

describe('applyLimit', () => {
  it('keeps the selected hosts the limit also matches, in the selection’s order', () => {
    const hosts = selectHosts(inv, 'hypervisors');
    expect(applyLimit(inv, hosts, 'storage:dc2[0]', '/').map((h) => h.name)).toEqual(['hv01.dc1', 'hv08.dc2']);
    expect(applyLimit(inv, hosts, '!dc1', '/').map((h) => h.name)).toEqual(DC2);
  });

  it('reads @file, one pattern per line (blank lines ignored)', () => {
    t = tmpDir();
    writeFileSync(path.join(t.dir, 'retry'), 'hv20.dc2\n\nhv02.dc1\n');
    const hosts = selectHosts(inv, 'all');
    expect(applyLimit(inv, hosts, '@retry', t.dir).map((h) => h.name)).toEqual(['hv02.dc1', 'hv20.dc2']);
    expect(applyLimit(inv, hosts, '@retry,lonely', t.dir).map((h) => h.name)).toEqual(['lonely', 'hv02.dc1', 'hv20.dc2']);
  });

  it('names the limit file and line of an unknown host', () => {
    t = tmpDir();
    writeFileSync(path.join(t.dir, 'retry'), 'hv20.dc2\ngone.dc9\n');
    expect(() => applyLimit(inv, selectHosts(inv, 'all'), '@retry', t!.dir)).toThrow(
      "retry:2: --limit: host pattern 'gone.dc9' matches no host or group in the inventory",
    );
  });

  it('refuses an empty or unparsable limit instead of keeping every host', () => {
    const hosts = selectHosts(inv, 'all');
    for (const limit of ['', ' ', ',', ' , ', ':']) {
      expect(() => applyLimit(inv, hosts, limit, '/'), `limit '${limit}'`).toThrow(/--limit '.*': empty host pattern/);
    }
    expect(() => applyLimit(inv, hosts, ']', '/')).toThrow("--limit ']': unbalanced '[' or ']' in host pattern ']'");
    expect(() => applyLimit(inv, hosts, 'dc1:]', '/')).toThrow("--limit 'dc1:]': unbalanced '[' or ']' in host pattern 'dc1:]'");
    expect(() => applyLimit(inv, hosts, '~[', '/')).toThrow(/--limit '~\[': (unbalanced|invalid regex)/);
    expect(() => applyLimit(inv, hosts, 'hv[01', '/')).toThrow(/unbalanced '\[' or '\]'/);
  });

  it('keeps errors on one line and refuses a glob with a bad range (found by fuzzing)', () => {
    const hosts = selectHosts(inv, 'all');
    expect(() => applyLimit(inv, hosts, 'dc1[0:2],dc2[(b_\\|-1]', '/')).toThrow(/invalid glob in host pattern 'dc2\[\(b_\\\|-1\]'/);
    expect(() => applyLimit(inv, hosts, '\ndc1@', '/')).toThrow("--limit '\\ndc1@': host pattern 'dc1@' matches no host");
  });

  it('refuses a limit file with no hosts in it', () => {
    t = tmpDir();
    writeFileSync(path.join(t.dir, 'empty'), '');
    writeFileSync(path.join(t.dir, 'blank'), '\n  \n\n');
    const hosts = selectHosts(inv, 'all');
    expect(() => applyLimit(inv, hosts, '@empty', t!.dir)).toThrow('--limit @empty: no hosts in empty');
    expect(() => applyLimit(inv, hosts, '@blank', t!.dir)).toThrow('--limit @blank: no hosts in blank');
    expect(() => applyLimit(inv, hosts, 'lonely,@empty', t!.dir)).toThrow('--limit @empty: no hosts in empty');
  });

  it('reports a missing limit file', () => {
    expect(() => applyLimit(inv, [], '@/nonexistent/retry', '/')).toThrow('--limit @/nonexistent/retry: cannot read limit file (ENOENT)');
  });
});
