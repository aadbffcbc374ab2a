/**
 * Ground truth with a real guest: a QEMU guest (Debian's kernel, busybox /init) on hv01's VM bridge
 * br1 pings a gateway station on its VM LAN. Its tap loses the bridge (what a network restart does);
 * the guest's pings fail; `fleet run health-check` names libvirt.tap-attached with that tap and
 * nothing else; `--fix` re-attaches it; the guest pings again; a second run is clean.
 * Addresses: 198.19.249.0/24 on the VM LAN only (reserved range, inside the fleet's namespaces).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guestAssets, missingTools } from '../../fleet/guests/assets.js';
import { Guest } from '../../fleet/guests/guest.js';
import { run } from '../../fleet/run.js';
import { SimFleet } from '../../fleet/sim-fleet.js';
import { names } from '../../fleet/topology.js';
import { fleet, simFleetArgs } from '../../helpers/cli.js';

interface RunJson {
  hosts: Record<string, { status: string; checks: Record<string, { status: string; message: string; fix_status?: string }> }>;
}

const GW = '198.19.249.1';
const BOOT_MS = 150_000;
let sim: SimFleet;
let guest: Guest;
let tmp: string;
let seen = 0;

beforeAll(async () => {
  const missing = missingTools();
  if (missing.length > 0) throw new Error(`real guests need ${missing.join(', ')} (.ci/install-deps installs them)`);
  tmp = mkdtempSync(path.join(os.tmpdir(), 'fleet-guest-'));
  const assets = await guestAssets();
  sim = await SimFleet.up({ prefix: 'gtd', count: 1, vmsPerHost: 1 });
  const h = sim.host('hv01');
  const vm = h.vms[0];
  if (!vm) throw new Error('hv01 has no VM');
  // The gateway station: an address on the VM LAN's bridge in the fabric namespace.
  const fabric = names.fabric(sim.prefix);
  const lan = await run(fabric, `ip addr add ${GW}/24 dev ${names.lanBridge(h)}`);
  expect(lan.code, lan.stderr).toBe(0);
  // The veth stand-in makes way for QEMU's real tap of the same name.
  const del = await sim.run(h.name, `ip link del dev ${vm.tap}`);
  expect(del.code, del.stderr).toBe(0);
  guest = await Guest.boot(assets, {
    netns: h.netns,
    tap: vm.tap,
    tapMac: `fe${vm.mac.slice(2)}`,
    bridge: vm.bridge,
    mac: vm.mac,
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

// kernel.modules-devices reads machine-global modules and /dev nodes: in a namespace test bed it
// judges the machine running the tests (no usable /dev/kvm on CI, hence TCG), not the simulated host.
async function healthCheck(extra: string[] = []): Promise<{ code: number | null; doc: RunJson }> {
  const r = await fleet([
    'run',
    'health-check',
    ...simFleetArgs(sim, path.join(tmp, 'fleet.db')),
    '--json',
    '--skip-tags',
    'kernel.modules-devices',
    ...extra,
  ]);
  expect(r.stderr).not.toMatch(/internal error/);
  return { code: r.code, doc: JSON.parse(r.stdout) as RunJson };
}

const failing = (doc: RunJson) =>
  Object.entries(doc.hosts.hv01?.checks ?? {})
    .filter(([, c]) => c.status === 'fail' || c.status === 'error')
    .map(([id]) => id);

describe('a real guest whose tap lost its bridge', () => {
  it(
    'baseline: the guest reaches its gateway and the host is clean',
    async () => {
      seen = await guest.waitFor('gw', 'ok', 0, BOOT_MS);
      const { doc } = await healthCheck();
      expect(failing(doc)).toEqual([]);
    },
    BOOT_MS + 60_000,
  );

  it('detached: the guest loses the gateway; health-check names libvirt.tap-attached and that tap, nothing else', async () => {
    const tap = guest.spec.tap;
    const r = await sim.run('hv01', `ip link set dev ${tap} nomaster`);
    expect(r.code, r.stderr).toBe(0);
    seen = await guest.waitFor('gw', 'fail', seen, 20_000);
    const { code, doc } = await healthCheck();
    expect(code).toBe(2);
    expect(failing(doc)).toEqual(['libvirt.tap-attached']);
    expect(doc.hosts.hv01?.checks['libvirt.tap-attached']?.message).toContain(tap);
  }, 120_000);

  it('--fix re-attaches the tap, the guest reaches its gateway again, and a second run is clean', async () => {
    const { doc } = await healthCheck(['--fix']);
    expect(doc.hosts.hv01?.checks['libvirt.tap-attached']).toMatchObject({ status: 'pass', fix_status: 'fixed' });
    seen = await guest.waitFor('gw', 'ok', seen, 20_000);
    const again = await healthCheck();
    expect(again.code).toBe(0);
    expect(failing(again.doc)).toEqual([]);
  }, 120_000);
});
