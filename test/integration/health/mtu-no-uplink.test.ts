/**
 * bridge.mtu on a real kernel where the bridge's own MTU lies: br1 lost its uplink (renamed outside
 * the bridge, as after a driver change) and no MTU is declared, so only its two guest taps are left.
 * One tap drops to 1400 and the kernel drops br1 with it (br_mtu_auto_adjust). Measured against br1
 * itself everything "matches"; the catalog's yardstick without an uplink is the highest port's MTU.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimFleet } from '../../fleet/sim-fleet.js';
import { healthCheck, type RunJson } from '../../helpers/health-check-json.js';

let sim: SimFleet;
let tmp: string;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'fleet-mtu-'));
  sim = await SimFleet.up({ prefix: 'mtn', count: 1, vmsPerHost: 2 });
  await sim.inject('hv01', 'bridge.uplink-enslaved', { variant: 'renamed' });
  await sim.inject('hv01', 'bridge.mtu');
});

afterAll(async () => {
  await sim?.down();
  rmSync(tmp, { recursive: true, force: true });
});

async function mtuCheck(extra: string[] = []): Promise<RunJson> {
  return (await healthCheck(sim, tmp, ['--tags', 'bridge.mtu', ...extra])).doc;
}

const mtus = async () =>
  Object.fromEntries(
    (
      JSON.parse((await sim.run('hv01', 'ip -j link show master br1; ip -j link show dev br1')).stdout.replace(/\]\s*\[/, ',')) as {
        ifname: string;
        mtu: number;
      }[]
    ).map((l) => [l.ifname, l.mtu]),
  );

describe('bridge.mtu without an uplink or a declared MTU (real kernel)', () => {
  it('the kernel really dropped br1 to its low tap', async () => {
    const [low, peer] = sim.hosts[0]?.vms ?? [];
    expect(await mtus()).toEqual({ [low?.tap ?? '?']: 1400, [peer?.tap ?? '?']: 1500, br1: 1400 });
  });

  it('fails on the tap below its peer, and --fix raises the tap and then br1', async () => {
    const tap = sim.hosts[0]?.vms[0]?.tap ?? '?';
    const before = (await mtuCheck()).hosts.hv01?.checks['bridge.mtu'];
    expect(before).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(before?.message).toMatch(new RegExp(`^${tap} on br1 has MTU 1400, expected 1500`));
    const fixed = (await mtuCheck(['--fix'])).hosts.hv01?.checks['bridge.mtu'];
    expect(fixed).toMatchObject({ status: 'pass', fix_status: 'fixed' });
    expect(Object.values(await mtus())).toEqual([1500, 1500, 1500]);
  });
});
