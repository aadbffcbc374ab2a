/**
 * libvirt.iface-direct honours the inventory: a guest on macvtap (a real macvtap on a real NIC in the
 * simulated host) can never reach its host. That is a high failure on hv01, whose host_vars say its
 * guests need the host, and only a warning on hv02, which says nothing.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimFleet } from '../../fleet/sim-fleet.js';
import { fleet, simFleetArgs } from '../../helpers/cli.js';
import { healthCheck, type RunJson } from '../../helpers/health-check-json.js';

let sim: SimFleet;
let tmp: string;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'fleet-gnh-'));
  sim = await SimFleet.up({ prefix: 'gnh', count: 2, vmsPerHost: 1 });
  const hostVars = path.join(path.dirname(sim.inventoryPath), 'host_vars');
  mkdirSync(hostVars, { recursive: true });
  const guest = sim.host('hv01').vms[0]?.name ?? '?';
  writeFileSync(path.join(hostVars, 'hv01.yml'), `guests_need_host: [${guest}]\n`);
  for (const h of sim.hosts) await sim.inject(h.name, 'libvirt.iface-direct');
});

afterAll(async () => {
  await sim?.down();
  rmSync(tmp, { recursive: true, force: true });
});

describe('libvirt.iface-direct and guests_need_host', () => {
  it('fails high where the inventory says the guest needs its host, warns elsewhere', async () => {
    const { code, doc } = await healthCheck(sim, tmp, ['--tags', 'libvirt.iface-direct']);
    expect(code).toBe(2);
    const [vm1, vm2] = [sim.host('hv01').vms[0]?.name ?? '?', sim.host('hv02').vms[0]?.name ?? '?'];
    expect(doc.hosts.hv01?.checks['libvirt.iface-direct']).toMatchObject({ status: 'fail', severity: 'high' });
    expect(doc.hosts.hv01?.checks['libvirt.iface-direct']?.message).toMatch(
      new RegExp(`^${vm1} NIC \\S+ is macvtap on eth3 .* the inventory says it needs this host \\(guests_need_host\\)`),
    );
    expect(doc.hosts.hv02?.checks['libvirt.iface-direct']).toMatchObject({ status: 'warn', severity: 'info' });
    expect(doc.hosts.hv02?.checks['libvirt.iface-direct']?.message).toMatch(
      new RegExp(`^${vm2} NIC .*fine unless the guest needs the host$`),
    );
  });

  // Check vars are validated when the host's checks run (not in the play's preflight, which only
  // asks modules): the host fails with the one-line reason, the others carry on.
  it('a bad value fails that host with one line naming the host and the var', async () => {
    writeFileSync(path.join(path.dirname(sim.inventoryPath), 'host_vars', 'hv02.yml'), 'guests_need_host: maybe\n');
    const r = await fleet([
      'run',
      'health-check',
      ...simFleetArgs(sim, path.join(tmp, 'bad.db')),
      '--json',
      '--tags',
      'libvirt.iface-direct',
    ]);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    const doc = JSON.parse(r.stdout) as RunJson & { hosts: Record<string, { reason: string | null }> };
    expect(doc.hosts.hv02?.reason).toMatch(
      /host hv02: guests_need_host must be true, false or a list of guest \(domain\) names, got "maybe"/,
    );
    expect(doc.hosts.hv01?.checks['libvirt.iface-direct']?.status).toBe('fail');
  });
});
