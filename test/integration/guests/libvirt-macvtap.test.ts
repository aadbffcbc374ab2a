/**
 * Ground truth for macvtap (kvm-network-checks.md check 21) with a real guest under a real libvirtd:
 * hv01's guest has a `type='direct'` NIC (macvtap, mode bridge) on eth3, a NIC outside any bridge
 * that holds the host's own address on the VM LAN. By design the guest reaches the LAN's gateway but
 * never its host. fleet only warns about that, until the inventory says the guest needs its host
 * (host_vars guests_need_host): then libvirt.iface-direct fails high naming that NIC, and nothing
 * else fails. fleet has no runtime fix for it (it means re-plumbing the guest): --fix leaves it
 * failing with the documented manual fix, and the guest still cannot reach its host.
 * Addresses: 198.19.249.0/24 on the VM LAN only (reserved range, inside the fleet's namespaces).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostMac } from '../../fleet/addressing.js';
import { guestAssets, missingTools } from '../../fleet/guests/assets.js';
import { LibvirtGuest } from '../../fleet/guests/libvirt-guest.js';
import { run } from '../../fleet/run.js';
import { SimFleet } from '../../fleet/sim-fleet.js';
import { names } from '../../fleet/topology.js';
import { fleet } from '../../helpers/cli.js';
import { failing, healthCheck } from '../../helpers/health-check-json.js';

const GW = '198.19.249.1';
const HOST_IP = '198.19.249.2';
const BOOT_MS = 150_000;
let sim: SimFleet;
let guest: LibvirtGuest;
let tmp: string;
let seen = 0;

beforeAll(async () => {
  const missing = missingTools();
  if (missing.length > 0) throw new Error(`real guests need ${missing.join(', ')} (.ci/install-deps installs them)`);
  tmp = mkdtempSync(path.join(os.tmpdir(), 'fleet-guest-'));
  const assets = await guestAssets();
  sim = await SimFleet.up({ prefix: 'gmv', count: 1, vmsPerHost: 1, libvirtd: ['hv01'] });
  const h = sim.host('hv01');
  const vm = h.vms[0];
  if (!vm) throw new Error('hv01 has no VM');
  const fabric = names.fabric(sim.prefix);
  // eth3: a second NIC into the same VM LAN, outside any bridge (a macvtap's lower device must not
  // be a bridge port), carrying the host's address there; the gateway station sits on the LAN.
  const peer = `y${h.index}`;
  const nic = await sim.run(
    'hv01',
    [
      `ip link add eth3 address ${hostMac(sim.block, h.index, 4)} type veth peer name ${peer} netns ${fabric}`,
      'ip link set dev eth3 addrgenmode none up',
      `ip addr add ${HOST_IP}/24 dev eth3`,
    ].join(' && '),
  );
  expect(nic.code, nic.stderr).toBe(0);
  const lan = await run(
    fabric,
    `ip link set dev ${peer} master ${names.lanBridge(h)} up && ip addr add ${GW}/24 dev ${names.lanBridge(h)}`,
  );
  expect(lan.code, lan.stderr).toBe(0);
  guest = await LibvirtGuest.boot(assets, {
    libvirtd: sim.libvirtd('hv01'),
    domain: vm.name,
    tap: `mvt-${vm.name}`,
    mac: vm.mac,
    direct: { dev: 'eth3', mode: 'bridge' },
    ip: '198.19.249.10/24',
    gateway: GW,
    host: HOST_IP,
    dir: sim.dir,
  });
}, BOOT_MS + 120_000);

afterAll(async () => {
  await guest?.stop();
  await sim?.down();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('a real macvtap guest that needs its host', () => {
  it(
    'the guest reaches the gateway but never its host; without guests_need_host fleet only warns',
    async () => {
      seen = await guest.waitFor('gw', 'ok', 0, BOOT_MS);
      seen = await guest.waitFor('host', 'fail', 0, 10_000);
      const { code, doc } = await healthCheck(sim, tmp);
      expect(failing(doc, 'hv01')).toEqual([]);
      expect(code).toBe(0);
      expect(doc.hosts.hv01?.checks['libvirt.iface-direct']).toMatchObject({ status: 'warn' });
    },
    BOOT_MS + 60_000,
  );

  it('with guests_need_host naming it, health-check fails libvirt.iface-direct high on that NIC, nothing else', async () => {
    mkdirSync(path.join(sim.dir, 'host_vars'), { recursive: true });
    writeFileSync(path.join(sim.dir, 'host_vars', 'hv01.yml'), `guests_need_host: [${guest.spec.domain}]\n`);
    const { code, doc } = await healthCheck(sim, tmp);
    expect(code).toBe(2);
    expect(failing(doc, 'hv01')).toEqual(['libvirt.iface-direct']);
    const c = doc.hosts.hv01?.checks['libvirt.iface-direct'];
    expect(c).toMatchObject({ status: 'fail', severity: 'high' });
    expect(c?.message).toContain(`${guest.spec.domain} NIC ${guest.spec.mac} is macvtap on eth3`);
  }, 120_000);

  it('--fix has no runtime fix: the check still fails with the manual fix, and the guest still cannot reach its host', async () => {
    const { code, doc } = await healthCheck(sim, tmp, ['--fix']);
    expect(code).toBe(2);
    expect(failing(doc, 'hv01')).toEqual(['libvirt.iface-direct']);
    expect(doc.hosts.hv01?.checks['libvirt.iface-direct']?.fix_status).toBeUndefined();
    // What fleet tells the operator instead (the stored suggested fix, as a CI results view shows it).
    const junit = await fleet(['export', 'last', '--format', 'junit', '--db', path.join(tmp, 'fleet.db')]);
    expect(junit.code, junit.stderr).toBe(0);
    expect(junit.stdout).toContain(
      'Suggested fix:\nuse type=bridge on a host bridge, or add a second guest NIC on an isolated libvirt network for host',
    );
    // Fresh reports after the run: the gateway still answers, the host still does not.
    const now = guest.lines().length;
    await guest.waitFor('gw', 'ok', now, 10_000);
    await guest.waitFor('host', 'fail', now, 10_000);
  }, 120_000);
});
