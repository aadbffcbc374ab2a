/**
 * Ground truth with a real guest under a real libvirtd: hv01 runs libvirtd (qemu:///system, reached
 * by fleet over SSH like any hypervisor), which runs a QEMU guest (Debian's kernel, busybox /init)
 * whose `type='bridge'` NIC libvirt puts on the VM bridge br1 as tap-web01. The guest pings a gateway
 * station on its VM LAN. Two causes, one guest (each case restores what it broke):
 *   - its tap loses the bridge (what a network restart does) → libvirt.tap-attached;
 *   - `virsh domif-setlink … down` → libvirt.link-state.
 * Each: the guest's pings fail; `fleet run health-check` names that check and that NIC and nothing
 * else; `--fix` repairs it; the guest pings again; a second run is clean.
 * Addresses: 198.19.249.0/24 on the VM LAN only (reserved range, inside the fleet's namespaces).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guestAssets, missingTools } from '../../fleet/guests/assets.js';
import { LibvirtGuest } from '../../fleet/guests/libvirt-guest.js';
import { run } from '../../fleet/run.js';
import { SimFleet } from '../../fleet/sim-fleet.js';
import { names } from '../../fleet/topology.js';
import { failing, healthCheck } from '../../helpers/health-check-json.js';

const GW = '198.19.249.1';
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
  sim = await SimFleet.up({ prefix: 'gtd', count: 1, vmsPerHost: 1, libvirtd: ['hv01'] });
  const h = sim.host('hv01');
  const vm = h.vms[0];
  if (!vm) throw new Error('hv01 has no VM');
  // The gateway station: an address on the VM LAN's bridge in the fabric namespace.
  const lan = await run(names.fabric(sim.prefix), `ip addr add ${GW}/24 dev ${names.lanBridge(h)}`);
  expect(lan.code, lan.stderr).toBe(0);
  guest = await LibvirtGuest.boot(assets, {
    libvirtd: sim.libvirtd('hv01'),
    domain: vm.name,
    tap: vm.tap,
    mac: vm.mac,
    bridge: vm.bridge,
    ip: '198.19.249.10/24',
    gateway: GW,
    dir: sim.dir,
  });
}, BOOT_MS + 120_000);

afterAll(async () => {
  await guest?.stop();
  await sim?.down();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('a real libvirt guest on a bridge', () => {
  it(
    'baseline: libvirt made and attached the tap, the guest reaches its gateway, and the host is clean',
    async () => {
      const link = await sim.run('hv01', `ip -j link show dev ${guest.spec.tap}`);
      expect(link.stdout).toContain(`"master":"${guest.spec.bridge}"`);
      expect(link.stdout).toContain(`"address":"fe${guest.spec.mac.slice(2)}"`);
      seen = await guest.waitFor('gw', 'ok', 0, BOOT_MS);
      const { doc } = await healthCheck(sim, tmp);
      expect(failing(doc, 'hv01')).toEqual([]);
      // fleet read the real domain over SSH (qemu:///system), not a test-driver file.
      expect(doc.hosts.hv01?.checks['libvirt.tap-attached']?.message).toContain(guest.spec.domain);
    },
    BOOT_MS + 60_000,
  );
});

describe('tap detached from its bridge', () => {
  it('the guest loses the gateway; health-check names libvirt.tap-attached and that tap, nothing else', async () => {
    const r = await sim.run('hv01', `ip link set dev ${guest.spec.tap} nomaster`);
    expect(r.code, r.stderr).toBe(0);
    seen = await guest.waitFor('gw', 'fail', seen, 20_000);
    // libvirt still reports the configured bridge: only ip/bridge show that the tap left it.
    expect(await guest.virsh('domiflist', guest.spec.domain)).toMatch(new RegExp(`${guest.spec.tap}\\s+bridge\\s+br1`));
    const { code, doc } = await healthCheck(sim, tmp);
    expect(code).toBe(2);
    expect(failing(doc, 'hv01')).toEqual(['libvirt.tap-attached']);
    expect(doc.hosts.hv01?.checks['libvirt.tap-attached']?.message).toContain(guest.spec.tap);
  }, 120_000);

  it('--fix re-attaches the tap, the guest reaches its gateway again, and a second run is clean', async () => {
    const { doc } = await healthCheck(sim, tmp, ['--fix']);
    expect(doc.hosts.hv01?.checks['libvirt.tap-attached']).toMatchObject({ status: 'pass', fix_status: 'fixed' });
    seen = await guest.waitFor('gw', 'ok', seen, 20_000);
    const again = await healthCheck(sim, tmp);
    expect(again.code).toBe(0);
    expect(failing(again.doc, 'hv01')).toEqual([]);
  }, 120_000);
});

describe('guest NIC set link-down (virsh domif-setlink)', () => {
  it('the guest loses the gateway; health-check names libvirt.link-state and that NIC, nothing else', async () => {
    await guest.virsh('domif-setlink', guest.spec.domain, guest.spec.tap, 'down');
    seen = await guest.waitFor('gw', 'fail', seen, 20_000);
    const { code, doc } = await healthCheck(sim, tmp);
    expect(code).toBe(2);
    expect(failing(doc, 'hv01')).toEqual(['libvirt.link-state']);
    expect(doc.hosts.hv01?.checks['libvirt.link-state']?.message).toContain(`${guest.spec.domain} NIC ${guest.spec.mac}`);
  }, 120_000);

  it('--fix sets the link up, the guest reaches its gateway again, and a second run is clean', async () => {
    const { doc } = await healthCheck(sim, tmp, ['--fix']);
    expect(doc.hosts.hv01?.checks['libvirt.link-state']).toMatchObject({ status: 'pass', fix_status: 'fixed' });
    seen = await guest.waitFor('gw', 'ok', seen, 20_000);
    expect(await guest.virsh('domif-getlink', guest.spec.domain, guest.spec.tap)).toMatch(/\bup\b/);
    const again = await healthCheck(sim, tmp);
    expect(again.code).toBe(0);
    expect(failing(again.doc, 'hv01')).toEqual([]);
  }, 120_000);
});
