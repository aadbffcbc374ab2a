/** The report in a real browser (Debian's chromium): numbers match the DB, filters and drill-down work, hostile data stays inert. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyReportInBrowser } from './browser_checks.js';
import { buildScenario, type Scenario } from './scenario.js';

const dir = mkdtempSync(join(tmpdir(), 'fleet-report-browser-'));
let s: Scenario;
beforeAll(async () => {
  s = await buildScenario(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('HTML report in chromium', () => {
  it('shows what the database holds, finds the fixed and the injected fault, and runs nothing from the hosts', async () => {
    const { reportPath } = await verifyReportInBrowser(s.db, [s.run1, s.run2], { name: 'scenario', reportPath: join(dir, 'report.html') });
    expect(reportPath).toContain('report.html');
  });
});

describe('the browser guards themselves', () => {
  it('catch a page that does run injected script and fetch (so a clean result means something)', async () => {
    const { launchBrowser, openGuarded } = await import('./browser_checks.js');
    const { writeFileSync } = await import('node:fs');
    const { pathToFileURL } = await import('node:url');
    const file = join(dir, 'unsafe.html');
    writeFileSync(file, '<!doctype html><table><tbody id="mx-body"><tr><td>x</td></tr></tbody></table><img src="http://198.18.0.1/x.png" onerror="window.__pwned=1;alert(1)">');
    const browser = await launchBrowser();
    try {
      const guard = await openGuarded(browser.context, pathToFileURL(file).href);
      await guard.page.waitForFunction(() => (globalThis as unknown as { __pwned?: number }).__pwned === 1);
      expect(guard.dialogs).toEqual(['alert: 1']);
      expect(guard.requests).toEqual(['http://198.18.0.1/x.png']);
    } finally {
      await browser.close();
    }
  });
});
