/**
 * The HTML report of REAL runs on the simulated fleet, checked in chromium: two `fleet run
 * health-check` runs, where between them one fault was fixed and another injected, and where a
 * hypervisor names a VM `<img src=x onerror=alert(1)>` (libvirt allows it) whose detached tap puts
 * that name into a check message. verifyReportInBrowser() asserts tiles = DB, filtering, a failing
 * host's message, the change list, and that nothing ran script or reached the network.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimFleet } from '../../fleet/sim-fleet.js';
import { fleet, ROOT } from '../../helpers/cli.js';
import { verifyReportInBrowser } from './browser-checks.js';

const HOSTILE = '<img src=x onerror=alert(1)>';
let sim: SimFleet;
let tmp: string;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'fleet-real-report-'));
  sim = await SimFleet.up({ prefix: 'rpt', count: 6, vmsPerHost: 1 });
});

afterAll(async () => {
  await sim?.down();
  rmSync(tmp, { recursive: true, force: true });
});

async function healthCheck(db: string): Promise<number> {
  const r = await fleet(['run', 'health-check', '-i', sim.inventoryPath, '--known-hosts', sim.knownHostsPath, '--db', db, '--json']);
  expect(r.stderr).not.toMatch(/internal error/);
  expect(r.code).toBe(2);
  return (JSON.parse(r.stdout) as { run_id: number }).run_id;
}

describe('report of real runs on the simulated fleet', () => {
  it('shows what the DB holds, the changes between runs, and runs no script from host data', async () => {
    const db = path.join(tmp, 'fleet.db');
    // The hypervisor hv03 names its VM with markup; its tap then falls off the bridge.
    const hv03 = sim.hosts.find((h) => h.name === 'hv03')!;
    const xmlPath = fileURLToPath(hv03.libvirtUri.replace(/^test:/, 'file:'));
    const vm = hv03.vms[0]!.name;
    const escaped = HOSTILE.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    writeFileSync(xmlPath, readFileSync(xmlPath, 'utf8').replace(`<name>${vm}</name>`, `<name>${escaped}</name>`));
    await sim.inject('hv03', 'libvirt.tap-attached');
    await sim.inject('hv02', 'bridge.up');
    const first = await healthCheck(db);

    // Between the runs: hv02's bridge is brought back up by hand, hv05 gets an MTU mismatch.
    expect((await sim.run('hv02', 'ip link set dev br1 up')).code).toBe(0);
    await sim.inject('hv05', 'bridge.mtu');
    const second = await healthCheck(db);

    const { reportPath } = await verifyReportInBrowser(db, [first, second], {
      name: 'real-fleet',
      reportPath: path.join(tmp, 'report.html'),
      extra: async (page) => {
        // Open hv03's drill-down: the hostile VM name is there as plain text in the failing message.
        await page.goto(`${page.url().split('#')[0]}#host=hv03`);
        await page.reload();
        await expect
          .poll(() => page.getByText(`running guest ${HOSTILE} is attached to no bridge`).count(), { timeout: 10_000 })
          .toBeGreaterThan(0);
        await page.screenshot({ path: path.join(ROOT, 'test-output/report/real-fleet-hostile-host.png') });
      },
    });
    const html = readFileSync(reportPath, 'utf8');
    expect(html).not.toContain(HOSTILE);
  });
});
