/**
 * A generated 10,000-host inventory (4 DCs x 25 racks x 100 hypervisors, INI and YAML, with
 * group_vars/ and host_vars/) loads and matches patterns correctly. Timings are printed for the
 * record, never asserted (the machine is shared).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyLimit, connectionSpec, inventoryListJson, loadInventory, selectHosts } from '../../../src/inventory/index.js';

const DCS = 4;
const RACKS = 25;
const PER_RACK = 100;
const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const hostName = (dc: number, rack: number, i: number) => `hv-dc${dc}-r${pad(rack)}-${pad(i, 3)}`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-inv-scale-'));
  const ini: string[] = ['[hypervisors:children]', ...Array.from({ length: DCS }, (_, d) => `dc${d + 1}`)];
  const yaml: string[] = ['all:', '  children:', '    hypervisors:', '      children:'];
  for (let d = 1; d <= DCS; d++) {
    ini.push(
      `[dc${d}:children]`,
      ...Array.from({ length: RACKS }, (_, r) => `dc${d}-r${pad(r + 1)}`),
      `[dc${d}:vars]`,
      `bridge=br-dc${d}`,
      `vlan=${100 + d}`,
    );
    yaml.push(`        dc${d}:`, '          vars:', `            bridge: br-dc${d}`, '          children:');
    for (let r = 1; r <= RACKS; r++) {
      ini.push(`[dc${d}-r${pad(r)}]`);
      yaml.push(`            dc${d}-r${pad(r)}:`, '              hosts:');
      for (let i = 1; i <= PER_RACK; i++) {
        const addr = `198.18.${(d - 1) * RACKS + r}.${i}`;
        ini.push(`${hostName(d, r, i)} ansible_host=${addr} rack=r${pad(r)} slot=${i}`);
        yaml.push(`                ${hostName(d, r, i)}: {ansible_host: ${addr}, slot: ${i}}`);
      }
    }
  }
  ini.push('[all:vars]', 'ansible_user=ops', 'ansible_become=true');
  writeFileSync(path.join(dir, 'hosts.ini'), `${ini.join('\n')}\n`);
  mkdirSync(path.join(dir, 'yaml'));
  writeFileSync(path.join(dir, 'yaml', 'hosts.yml'), `${yaml.join('\n')}\n`);
  for (const sub of ['group_vars', 'host_vars', 'yaml/group_vars']) mkdirSync(path.join(dir, sub), { recursive: true });
  writeFileSync(path.join(dir, 'group_vars', 'all.yml'), 'ntp: 198.18.0.123\n');
  writeFileSync(path.join(dir, 'group_vars', 'dc2.yml'), 'bridge: br-dc2-file\n');
  writeFileSync(path.join(dir, 'yaml', 'group_vars', 'hypervisors.yml'), 'monitoring: true\n');
  for (let i = 1; i <= 100; i++) writeFileSync(path.join(dir, 'host_vars', `${hostName(1, 1, i)}.yml`), `override: ${i}\n`);
  writeFileSync(
    path.join(dir, 'retry'),
    Array.from({ length: 500 }, (_, i) => hostName(3, 1 + (i % RACKS), 1 + Math.floor(i / RACKS))).join('\n'),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Wall and CPU time: on a shared machine the CPU time says more about the code. */
function report(label: string, t0: number, c0: NodeJS.CpuUsage): void {
  const cpu = process.cpuUsage(c0);
  console.log(
    `[inventory scale] ${label}: ${(performance.now() - t0).toFixed(1)} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(1)} ms CPU`,
  );
}
function timed<T>(label: string, fn: () => T): T {
  const [t0, c0] = [performance.now(), process.cpuUsage()];
  const v = fn();
  report(label, t0, c0);
  return v;
}
async function timedAsync<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const [t0, c0] = [performance.now(), process.cpuUsage()];
  const v = await fn();
  report(label, t0, c0);
  return v;
}

describe('10,000 hosts', () => {
  it('INI: loads, merges vars, matches patterns and limits', async () => {
    const inv = await timedAsync('load INI (10,000 hosts, 104 groups, 100 host_vars files)', () =>
      loadInventory(['hosts.ini'], { cwd: dir }),
    );
    expect(inv.hosts.size).toBe(DCS * RACKS * PER_RACK);
    const h = inv.hosts.get(hostName(2, 5, 7))!;
    expect(h.vars).toMatchObject({
      ansible_host: '198.18.30.7',
      bridge: 'br-dc2-file',
      vlan: 102,
      ntp: '198.18.0.123',
      rack: 'r05',
      slot: 7,
    });
    expect(inv.hosts.get(hostName(1, 1, 42))?.vars.override).toBe(42);

    expect(timed("select 'all'", () => selectHosts(inv, 'all'))).toHaveLength(10_000);
    expect(timed("select 'hypervisors:&dc2:!dc2-r05'", () => selectHosts(inv, 'hypervisors:&dc2:!dc2-r05'))).toHaveLength(2400);
    expect(timed("select glob 'hv-*-r1?-00*'", () => selectHosts(inv, 'hv-*-r1?-00*'))).toHaveLength(DCS * 10 * 9);
    expect(timed("select regex '~hv-dc3-r0[1-3]-'", () => selectHosts(inv, '~hv-dc3-r0[1-3]-'))).toHaveLength(300);
    expect(timed("select slice 'dc4[100:199]'", () => selectHosts(inv, 'dc4[100:199]')).map((x) => x.name)[0]).toBe(hostName(4, 2, 1));
    const all = selectHosts(inv, 'all');
    expect(timed('--limit @file (500 names)', () => applyLimit(inv, all, '@retry', dir))).toHaveLength(500);
    expect(timed('connectionSpec x 10,000', () => all.map((x) => connectionSpec(x)))).toHaveLength(10_000);
    const list = timed('inventoryListJson', () => inventoryListJson(inv)) as { _meta: { hostvars: object } };
    expect(Object.keys(list._meta.hostvars)).toHaveLength(10_000);
  }, 60_000);

  it('YAML: loads and matches', async () => {
    const inv = await timedAsync('load YAML (10,000 hosts)', () => loadInventory(['yaml/hosts.yml'], { cwd: dir }));
    expect(inv.hosts.size).toBe(10_000);
    expect(inv.hosts.get(hostName(4, 25, 100))?.vars).toEqual({
      bridge: 'br-dc4',
      monitoring: true,
      ansible_host: '198.18.100.100',
      slot: 100,
    });
    expect(timed("select 'dc1:dc3'", () => selectHosts(inv, 'dc1:dc3'))).toHaveLength(5000);
  }, 60_000);
});
