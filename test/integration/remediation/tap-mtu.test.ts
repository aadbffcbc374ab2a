/**
 * Bridge remediation of the VM bridge br1 on hosts whose guest tap sank to MTU 1400 (br1 followed it
 * down, real kernel). Verification demands bridge.mtu, which fails that tap; the plan must raise it
 * (ports first, then the bridge) or the host is rolled back on every run and the canary stops the
 * rollout. hv01 declares mtu 1500; hv02 declares none (expected: its uplink's, 1500).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimFleet } from '../../fleet/sim-fleet.js';
import { runRemediation } from './helpers.js';

interface RunJson {
  hosts: Record<string, { status: string; changed: boolean; reason: string | null }>;
}

let sim: SimFleet;
let tmp: string;
let vars: string;
let db: string;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'fleet-tapmtu-'));
  sim = await SimFleet.up({ prefix: 'rmm', count: 2, vmsPerHost: 1 });
  vars = path.join(tmp, 'br1.yml');
  writeFileSync(
    vars,
    [
      'bridge: br1',
      'uplink: eth1',
      'network_stack: ifupdown',
      // Not what is tested here: room for a loaded CI machine (a confirmed host never waits for it).
      'bridge_confirm_timeout: 60',
      'bridge_rollback_grace: 30',
      `bridge_tx_dir: ${path.join(sim.dir, 'tx')}`,
      '',
    ].join('\n'),
  );
  // host_vars next to the inventory: only hv01 declares the MTU (-e would declare it for both).
  mkdirSync(path.join(path.dirname(sim.inventoryPath), 'host_vars'), { recursive: true });
  writeFileSync(path.join(path.dirname(sim.inventoryPath), 'host_vars', 'hv01.yml'), 'mtu: 1500\n');
  db = path.join(tmp, 'fleet.db');
  for (const h of sim.hosts) await sim.inject(h.name, 'bridge.mtu');
});

afterAll(async () => {
  await sim?.down();
  rmSync(tmp, { recursive: true, force: true });
});

async function mtus(host: string): Promise<number[]> {
  const tap = sim.host(host).vms[0]?.tap ?? '?';
  const out = await sim.run(host, `cat /sys/class/net/${tap}/mtu /sys/class/net/br1/mtu /sys/class/net/eth1/mtu`);
  return out.stdout.trim().split('\n').map(Number);
}

describe('bridge-remediation with a guest tap below the expected MTU', () => {
  it('starts from the real fault: tap and br1 at 1400, uplink at 1500', async () => {
    for (const h of sim.hosts) expect(await mtus(h.name), h.name).toEqual([1400, 1400, 1500]);
  });

  it('converges: tap raised, then br1; both hosts applied and confirmed, none rolled back', async () => {
    const r = await runRemediation(sim, db, vars, ['bridge-remediation', '--json']);
    const doc = JSON.parse(r.stdout) as RunJson;
    for (const h of sim.hosts)
      expect(doc.hosts[h.name], `${h.name}: ${doc.hosts[h.name]?.reason}`).toMatchObject({ status: 'ok', changed: true });
    expect(r.code, r.stderr).toBe(0);
    for (const h of sim.hosts) expect(await mtus(h.name), h.name).toEqual([1500, 1500, 1500]);
  });

  it('a second run changes nothing', async () => {
    const r = await runRemediation(sim, db, vars, ['bridge-remediation', '--json']);
    const doc = JSON.parse(r.stdout) as RunJson;
    expect(r.code, r.stderr).toBe(0);
    for (const h of sim.hosts) expect(doc.hosts[h.name], h.name).toMatchObject({ status: 'ok', changed: false });
  });
});
