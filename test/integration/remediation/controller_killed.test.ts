/**
 * Issue 4 acceptance: the controller is SIGKILLed in the middle of an apply that cut the connection
 * (a wrong uplink on the management bridge). The host rolls itself back without fleet (the detached
 * setsid dead-man switch: systemd is not PID 1 in the simulated hosts), is reachable again, and the
 * next fleet command marks the run `interrupted`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SimFleet } from '../../fleet/sim-fleet.js';
import { fleet, ROOT } from '../../helpers/cli.js';
import { CONFIRM_TIMEOUT_S, networkState, runRemediation, writeBr0Vars } from './helpers.js';

let sim: SimFleet;
let tmp: string;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'fleet-remk-'));
  sim = await SimFleet.up({ prefix: 'rmk', count: 2, vmsPerHost: 1 });
});

afterAll(async () => {
  await sim?.down();
  rmSync(tmp, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('SIGKILL of the controller mid-apply: the host restores itself; the next command marks the run interrupted', async () => {
  const vars = writeBr0Vars(sim, tmp);
  const db = path.join(tmp, 'fleet.db');
  const before = await networkState(sim, 'hv01');
  const canary = path.join(ROOT, 'test/fixtures/remediation/canary.yml');
  let child: ChildProcess | undefined;
  const done = runRemediation(sim, db, vars, [canary, '--fix', '--limit', 'hv01', '-e', 'wrong_host=hv01'], { onStart: (c) => (child = c) });

  // Wait until the apply has run on the host (the connection is now cut), then kill the controller.
  const txGlob = `${sim.dir}/tx/hv01-*`;
  const t0 = Date.now();
  for (;;) {
    const r = await sim.run('hv01', `cat ${txGlob}/apply.rc 2>/dev/null`);
    if (r.stdout.trim() !== '') break;
    if (Date.now() - t0 > 30_000) throw new Error('the apply never ran');
    await sleep(200);
  }
  const cut = await sim.run('hv01', 'ip -br link show dev eth0');
  expect(cut.stdout).not.toMatch(/master/); // eth0 left br0: SSH is cut
  child?.kill('SIGKILL');
  const killed = await done;
  expect(killed.signal).toBe('SIGKILL');
  const killedAt = Date.now();

  // Without fleet, the switch fires and the host restores files and runtime.
  for (;;) {
    const r = await sim.run('hv01', `cat ${txGlob}/decision 2>/dev/null; ls ${txGlob}/rollback.done 2>/dev/null`);
    if (r.stdout.includes('rollback.done')) {
      expect(r.stdout).toMatch(/^rollback/);
      break;
    }
    if (Date.now() - killedAt > (CONFIRM_TIMEOUT_S + 15) * 1000) throw new Error('the host did not roll itself back');
    await sleep(500);
  }
  console.log(`host restored itself ${Date.now() - killedAt} ms after the controller died`);
  expect(await networkState(sim, 'hv01')).toBe(before);
  const reach = await fleet(['exec', 'hv01', '-i', sim.inventoryPath, '--known-hosts', sim.knownHostsPath, '--db', db, '--', 'ip -br addr show dev br0; test -e /run/fleet/bridge.lock && echo lock-held || echo lock-free']);
  expect(reach.code, reach.stderr).toBe(0);
  expect(reach.stdout).toContain(sim.hosts[0]?.address ?? 'missing');
  // The rollback gave the host's transaction lock back: the next remediation is not refused.
  expect(reach.stdout).toContain('lock-free');

  // The exec above opened the DB first: the killed run is now interrupted.
  const runs = await fleet(['runs', '--db', db, '--json']);
  expect(runs.stdout).toMatch(/"status":\s*"interrupted"/);
});
