/**
 * Bridge remediation: the controller is SIGKILLed in the middle of an apply that cut the connection
 * (a wrong uplink on the management bridge). The host rolls itself back without fleet (the detached
 * setsid dead-man switch: systemd is not PID 1 in the simulated hosts), is reachable again, and the
 * next fleet command marks the run `interrupted`. And SIGINT (Ctrl-C) in the same place: fleet stops
 * within its grace and leaves the host to its switch, which restores it.
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

/** Waits until the (wrong-uplink) apply has run on `host`, which cuts its SSH; returns its tx dir glob. */
async function waitCutOff(host: string): Promise<string> {
  const txGlob = `${sim.dir}/tx/${host}-*`;
  const t0 = Date.now();
  for (;;) {
    const r = await sim.run(host, `cat ${txGlob}/apply.rc 2>/dev/null`);
    if (r.stdout.trim() !== '') break;
    if (Date.now() - t0 > 30_000) throw new Error('the apply never ran');
    await sleep(200);
  }
  const cut = await sim.run(host, 'ip -br link show dev eth0');
  expect(cut.stdout).not.toMatch(/master/); // eth0 left br0: SSH is cut
  return txGlob;
}

/** Waits until the host's own dead-man switch has restored it (no fleet involved). */
async function waitRolledBack(host: string, txGlob: string, since: number): Promise<void> {
  for (;;) {
    const r = await sim.run(host, `cat ${txGlob}/decision 2>/dev/null; ls ${txGlob}/rollback.done 2>/dev/null`);
    if (r.stdout.includes('rollback.done')) {
      expect(r.stdout).toMatch(/^rollback/);
      return;
    }
    if (Date.now() - since > (CONFIRM_TIMEOUT_S + 15) * 1000) throw new Error(`${host} did not roll itself back`);
    await sleep(500);
  }
}

it('SIGKILL of the controller mid-apply: the host restores itself; the next command marks the run interrupted', async () => {
  const vars = writeBr0Vars(sim, tmp);
  const db = path.join(tmp, 'fleet.db');
  const before = await networkState(sim, 'hv01');
  const canary = path.join(ROOT, 'test/fixtures/remediation/canary.yml');
  let child: ChildProcess | undefined;
  const done = runRemediation(sim, db, vars, [canary, '--fix', '--limit', 'hv01', '-e', 'wrong_host=hv01'], {
    onStart: (c) => (child = c),
  });

  // Wait until the apply has run on the host (the connection is now cut), then kill the controller.
  const txGlob = await waitCutOff('hv01');
  child?.kill('SIGKILL');
  const killed = await done;
  expect(killed.signal).toBe('SIGKILL');
  const killedAt = Date.now();

  // Without fleet, the switch fires and the host restores files and runtime.
  await waitRolledBack('hv01', txGlob, killedAt);
  console.log(`host restored itself ${Date.now() - killedAt} ms after the controller died`);
  expect(await networkState(sim, 'hv01')).toBe(before);
  const reach = await fleet([
    'exec',
    'hv01',
    '-i',
    sim.inventoryPath,
    '--known-hosts',
    sim.knownHostsPath,
    '--db',
    db,
    '--',
    'ip -br addr show dev br0; test -e /run/fleet/bridge.lock && echo lock-held || echo lock-free',
  ]);
  expect(reach.code, reach.stderr).toBe(0);
  expect(reach.stdout).toContain(sim.hosts[0]?.address ?? 'missing');
  // The rollback gave the host's transaction lock back: the next remediation is not refused.
  expect(reach.stdout).toContain('lock-free');

  // The exec above opened the DB first: the killed run is now interrupted.
  const runs = await fleet(['runs', '--db', db, '--json']);
  expect(runs.stdout).toMatch(/"status":\s*"interrupted"/);
});

it('SIGINT mid-apply: fleet stops within its grace, says the host restores itself, and it does', async () => {
  const vars = writeBr0Vars(sim, tmp);
  const db = path.join(tmp, 'sigint.db');
  const before = await networkState(sim, 'hv02');
  const canary = path.join(ROOT, 'test/fixtures/remediation/canary.yml');
  let child: ChildProcess | undefined;
  const done = runRemediation(sim, db, vars, [canary, '--limit', 'hv02', '-e', 'wrong_host=hv02'], { onStart: (c) => (child = c) });
  const txGlob = await waitCutOff('hv02');
  const sentAt = Date.now();
  child?.kill('SIGINT');
  const r = await done;
  // The first signal stops the run; the in-flight host is abandoned to its switch, not left half-done.
  // Well inside the 10 s grace: nothing (not the dead connection's socket) holds the process open.
  const exitMs = Date.now() - sentAt;
  console.log(`fleet exited ${exitMs} ms after SIGINT`);
  expect(r.code, r.stderr).toBe(130);
  expect(exitMs, r.stderr).toBeLessThan(6_000);
  expect(r.stderr).toMatch(/hv02: .*interrupted before confirming: the host restores itself at \d{4}-\d\d-\d\dT/);
  const runs = await fleet(['runs', '--db', db, '--json']);
  expect(runs.stdout).toMatch(/"status":\s*"interrupted"/);

  await waitRolledBack('hv02', txGlob, sentAt);
  expect(await networkState(sim, 'hv02')).toBe(before);
  const reach = await fleet([
    'exec',
    'hv02',
    '-i',
    sim.inventoryPath,
    '--known-hosts',
    sim.knownHostsPath,
    '--db',
    db,
    '--',
    'test -e /run/fleet/bridge.lock && echo lock-held || echo lock-free',
  ]);
  expect(reach.code, reach.stderr).toBe(0);
  expect(reach.stdout).toContain('lock-free');
});
