/**
 * Acceptance test of bridge remediation on a real simulated fleet, remediating the MANAGEMENT bridge br0 (the host
 * address and SSH live on it, so a bad change really cuts the connection).
 *
 * Faults on br0 that still leave SSH working (the "host works, VMs don't" family), 4 hosts each:
 *   hv01-04 STP on with forward delay 15 s      hv05-08 bridge MTU 1400 (uplink 1500)
 *   hv09-12 uplink not enslaved, address + default route moved to eth0
 *   hv13-16 host address also on the enslaved port eth0
 *   hv17-19 bridge missing, address + default route on eth0 (created by the remediation)
 *   hv20    clean (idempotence: nothing changes, recorded ok)
 * (br0 down or a bare `ip link del br0` would cut SSH: those are not "still reachable" faults.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderBridgeConfig, validateBridgeParams } from '../../../src/bridge/index.js';
import { keepUnmanagedStanzas } from '../../../src/remediation/interfaces-keep.js';
import { openSqliteStore } from '../../../src/store/sqlite.js';
import { makeRedactor } from '../../../src/core/redact.js';
import { SimFleet } from '../../fleet/sim-fleet.js';
import { fleet, ROOT } from '../../helpers/cli.js';
import { interfacesFiles, networkState, runRemediation, settledSnapshots, snapshots, writeBr0Vars } from './helpers.js';

interface RunJson {
  run_id: number;
  status: string;
  hosts: Record<
    string,
    { status: string; changed: boolean; reason: string | null; checks: Record<string, { status: string; message: string }> }
  >;
}

let sim: SimFleet;
let tmp: string;
let vars: string;
let db: string;
let originalFiles: Record<string, string>;
const names = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `hv${String(from + i).padStart(2, '0')}`);

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'fleet-rem-'));
  sim = await SimFleet.up({ prefix: 'rmr', count: 20, vmsPerHost: 1 });
  vars = writeBr0Vars(sim, tmp);
  db = path.join(tmp, 'fleet.db');
  originalFiles = await interfacesFiles(sim);
  for (const h of names(1, 4)) await sim.inject(h, 'bridge.stp-forward-delay', { bridge: 'br0' });
  for (const h of names(5, 8)) await sim.run(h, 'ip link set dev br0 mtu 1400');
  for (const h of names(9, 12)) await sim.inject(h, 'bridge.uplink-enslaved', { bridge: 'br0' });
  for (const h of names(13, 16)) await sim.inject(h, 'bridge.ip-on-port', { bridge: 'br0' });
  for (const h of names(17, 19)) {
    await sim.inject(h, 'bridge.uplink-enslaved', { bridge: 'br0' });
    await sim.run(h, 'ip link del br0');
  }
});

afterAll(async () => {
  await sim?.down();
  rmSync(tmp, { recursive: true, force: true });
});

async function bridgeChecks(): Promise<RunJson> {
  const r = await fleet([
    'run',
    'health-check',
    '-i',
    sim.inventoryPath,
    '--known-hosts',
    sim.knownHostsPath,
    '--db',
    path.join(tmp, 'hc.db'),
    '--json',
    '--tags',
    'bridge',
    '-e',
    'bridge=br0',
    '-e',
    'uplink=eth0',
  ]);
  return JSON.parse(r.stdout) as RunJson;
}

describe('bridge-remediation on 20 hosts with faults on the management bridge', () => {
  it('--check --diff shows diffs, runtime commands and lockout warnings, and changes nothing', async () => {
    const before = await settledSnapshots(sim);
    const r = await runRemediation(sim, db, vars, ['bridge-remediation', '--check', '--diff']);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.stdout).toMatch(/--- \/etc\/network\/interfaces\ton host\n\+\+\+ \/etc\/network\/interfaces\tdeclared/);
    expect(r.stdout).toContain('ip link set dev br0 type bridge stp_state 0');
    expect(r.stdout).toContain('ip link add name br0');
    expect(r.stdout).toMatch(
      /WARNING: lockout risk: the change moves \S+ \(the address fleet connects to\) from eth0 to br0.*safety: dead-man switch \(detached setsid process\) restores files and runtime after 12s/,
    );
    expect(await snapshots(sim)).toEqual(before);
    expect(await interfacesFiles(sim)).toEqual(originalFiles);
  });

  it('fleet run bridge-remediation brings every host to the declared state: bridge checks pass, all reachable, file matches the template', async () => {
    const t0 = Date.now();
    const r = await runRemediation(sim, db, vars, ['bridge-remediation', '--json']);
    const doc = JSON.parse(r.stdout) as RunJson;
    console.log(`bridge-remediation on 20 hosts: ${Date.now() - t0} ms, exit ${r.code}`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/bridge-remediation is a remediation playbook \(fix: true\): applying changes/);
    // hv20's runtime is clean; only its file changes (the template's text replaces the simulator's).
    for (const h of names(1, 20)) expect(doc.hosts[h], h).toMatchObject({ status: 'ok', changed: true });

    const hc = await bridgeChecks();
    for (const h of sim.hosts) {
      expect(hc.hosts[h.name]?.status, `${h.name} reachable`).not.toBe('unreachable');
      for (const [id, c] of Object.entries(hc.hosts[h.name]?.checks ?? {}))
        expect(c.status, `${h.name} ${id}: ${c.message}`).toMatch(/pass|skipped/);
    }
    const files = await interfacesFiles(sim);
    for (const h of sim.hosts) {
      // No MAC declared: the file pins the one in use (the simulator's br0 has eth0's; hv17-19's new br0 gets it).
      const mac = (await sim.run(h.name, 'cat /sys/class/net/eth0/address /sys/class/net/br0/address')).stdout.trim().split('\n');
      expect(mac[1], `${h.name} bridge MAC`).toBe(mac[0]);
      const params = validateBridgeParams(
        { bridge: 'br0', uplink: 'eth0', address: `${h.address}/${h.prefixLength}`, gateway: h.gateway, mtu: 1500, bridge_mac: mac[0] },
        h.name,
      );
      const rendered = renderBridgeConfig('ifupdown', params).files[0]?.content ?? '';
      expect(files[h.name]?.startsWith(rendered), h.name).toBe(true);
      expect(rendered).toContain(`hwaddress ${mac[0]}`);
      // The VM bridge br1's stanzas are carried over, not lost.
      expect(files[h.name]).toBe(keepUnmanagedStanzas(rendered, originalFiles[h.name] ?? '', ['br0', 'eth0']));
      expect(files[h.name]).toMatch(/iface br1 inet manual\n {4}bridge_ports eth1/);
    }

    // Recorded per host: outcome, batch (ramp 1, 5, 20% = 1,5,4,4,4,2), phase timings, the diff.
    const store = await openSqliteStore(db, { redact: makeRedactor([]) });
    try {
      const steps = (await store.getSteps(doc.run_id)).filter((s) => s.name === 'bridge to declared state');
      const byHost = new Map(steps.map((s) => [s.host, s.stdout]));
      expect(byHost.get('hv01')).toMatch(/^outcome: applied\nbatch: 1\n/);
      expect(byHost.get('hv02')).toMatch(/^outcome: applied\nbatch: 2\n/);
      // hv20: runtime already right, only the file is rewritten (still verified and committed).
      expect(byHost.get('hv20')).toMatch(/^outcome: applied\nbatch: 6\n[^]*runtime commands \(ip -force -batch\): none/);
      expect(byHost.get('hv10')).toMatch(
        /phases: probe=\d+ms backup=\d+ms arm=\d+ms apply=\d+ms settle=\d+ms reconnect=\d+ms verify=\d+ms commit=\d+ms/,
      );
      expect(byHost.get('hv10')).toContain('+++ /etc/network/interfaces\tdeclared');
      for (const s of steps) console.log(`${s.host} ${s.durationMs}ms ${/phases: (.*)/.exec(s.stdout)?.[1] ?? ''}`);
    } finally {
      await store.close();
    }
  });

  it('a second run changes nothing (idempotent: every host ok)', async () => {
    const before = await snapshots(sim);
    const r = await runRemediation(sim, db, vars, ['bridge-remediation', '--json']);
    const doc = JSON.parse(r.stdout) as RunJson;
    const store = await openSqliteStore(db, { redact: makeRedactor([]) });
    for (const s of await store.getSteps(doc.run_id)) if (s.changed) console.log(`second run changed ${s.host}: ${s.message}\n${s.stdout}`);
    await store.close();
    expect(r.code).toBe(0);
    for (const h of sim.hosts) expect(doc.hosts[h.name], h.name).toMatchObject({ status: 'ok', changed: false });
    expect(await snapshots(sim)).toEqual(before);
  });

  it('a host with another open transaction is refused untouched; once that one is over its lock is taken over', async () => {
    const sh = async (cmd: string) => {
      const r = await fleet([
        'exec',
        'hv20',
        '-i',
        sim.inventoryPath,
        '--known-hosts',
        sim.knownHostsPath,
        '--db',
        path.join(tmp, 'exec.db'),
        '--',
        cmd,
      ]);
      expect(r.code, `${cmd}: ${r.stdout}${r.stderr}`).toBe(0);
    };
    const other = path.join(sim.dir, 'tx', 'other-controller');
    // Another controller's transaction: armed (its switch has a pid), not decided.
    await sh(`mkdir -p ${other} /run/fleet/bridge.lock && echo 4242 > ${other}/deadman.pid && echo ${other} > /run/fleet/bridge.lock/tx`);
    await sim.run('hv20', 'ip link set dev br0 mtu 1400');
    const before = await sim.snapshot('hv20');
    const refused = await runRemediation(sim, db, vars, ['bridge-remediation', '--json', '--limit', 'hv20']);
    const doc = JSON.parse(refused.stdout) as RunJson;
    expect(refused.code).toBe(2);
    expect(doc.hosts['hv20']?.reason).toMatch(
      new RegExp(`another fleet transaction is still open on this host \\(/run/fleet/bridge.lock held by ${other}\\); nothing changed`),
    );
    expect(await sim.snapshot('hv20')).toBe(before);

    // It committed: the lock is stale, the next run takes it, converges and gives it back.
    await sh(`mkdir ${other}/decided && echo commit > ${other}/decision`);
    const ok = await runRemediation(sim, db, vars, ['bridge-remediation', '--json', '--limit', 'hv20']);
    expect(ok.code, ok.stderr).toBe(0);
    expect((JSON.parse(ok.stdout) as RunJson).hosts['hv20']).toMatchObject({ status: 'ok', changed: true });
    await sh('test ! -e /run/fleet/bridge.lock');
  });

  it("the operator's bridge_verify_command decides too: non-zero rolls the host back, zero commits", async () => {
    await sim.run('hv20', 'ip link set dev br0 mtu 1400');
    const before = await sim.snapshot('hv20');
    const veto = await runRemediation(sim, db, vars, [
      'bridge-remediation',
      '--json',
      '--limit',
      'hv20',
      '-e',
      JSON.stringify({ bridge_verify_command: 'echo storage network unreachable >&2; exit 3' }),
    ]);
    const doc = JSON.parse(veto.stdout) as RunJson;
    expect(veto.code).toBe(2);
    expect(doc.hosts['hv20']?.reason).toMatch(
      /rolled_back: verification failed: bridge_verify_command exited 3: storage network unreachable; the host restored/,
    );
    expect(await sim.snapshot('hv20')).toBe(before);
    const ok = await runRemediation(sim, db, vars, [
      'bridge-remediation',
      '--json',
      '--limit',
      'hv20',
      '-e',
      JSON.stringify({ bridge_verify_command: 'ip link show dev br0 | grep -q "mtu 1500"' }),
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect((JSON.parse(ok.stdout) as RunJson).hosts['hv20']).toMatchObject({ status: 'ok', changed: true });
  });

  it('a canary with a wrong uplink cuts itself off, restores itself and is recorded rolled_back; no other host is touched; @skipped resumes', async () => {
    const before = await snapshots(sim);
    const canaryBefore = await networkState(sim, 'hv01');
    const canary = path.join(ROOT, 'test/fixtures/remediation/canary.yml');
    const t0 = Date.now();
    const r = await runRemediation(sim, db, vars, [canary, '--json', '-e', 'wrong_host=hv01']);
    const elapsed = Date.now() - t0;
    console.log(`canary rollback: ${elapsed} ms`);
    const doc = JSON.parse(r.stdout) as RunJson;
    console.log(`canary: ${doc.hosts['hv01']?.reason}\n${(await sim.run('hv01', `cat ${sim.dir}/tx/hv01-*/rollback.log`)).stdout}`);
    expect(r.code).toBe(2);
    expect(doc.status).toBe('failed');
    expect(doc.hosts['hv01']?.status).toBe('failed');
    expect(doc.hosts['hv01']?.reason).toMatch(/rolled_back: not confirmed within 12s/);
    for (const h of names(2, 20))
      expect(doc.hosts[h]?.reason, h).toMatch(/^not run: max_fail_percentage 0% exceeded: 1 of 1 hosts failed in batch 1/);
    // Restored within the timeout (+ the rollback grace): reachable again, every host as before.
    expect(elapsed).toBeLessThan((12 + 30) * 1000);
    const after = await snapshots(sim);
    for (const h of names(2, 20)) expect(after[h], `${h} untouched`).toBe(before[h]);
    expect(await networkState(sim, 'hv01')).toBe(canaryBefore);

    const again = await runRemediation(sim, db, vars, [canary, '--json', '-e', 'wrong_host=none', '--limit', '@skipped']);
    const doc2 = JSON.parse(again.stdout) as RunJson;
    expect(again.stderr).toMatch(/--limit @skipped: 19 host\(s\) from run \d+/);
    expect(Object.keys(doc2.hosts).sort()).toEqual(names(2, 20));
    const failed = await runRemediation(sim, db, vars, [canary, '--json', '-e', 'wrong_host=none', '--limit', '@failed']);
    expect(failed.stderr).toMatch(/has no failed hosts/);
  });
});
