/** The report in a real browser (Debian's chromium): numbers match the DB, filters and drill-down work, hostile data stays inert. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyReportInBrowser } from './browser-checks.js';
import { CATALOG, HOSTILE } from '../../fixtures/report/synthetic-fleet.js';
import { EVIL_HOST, buildScenario, type Scenario } from './scenario.js';

const dir = mkdtempSync(join(tmpdir(), 'fleet-report-browser-'));
let s: Scenario;
beforeAll(async () => {
  s = await buildScenario(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('HTML report in chromium', () => {
  it('shows what the database holds, finds the fixed and the injected fault, and runs nothing from the hosts', async () => {
    const { reportPath } = await verifyReportInBrowser(s.db, [s.run1, s.run2], {
      name: 'scenario',
      reportPath: join(dir, 'report.html'),
      extra: async (page) => {
        const rows = () => page.locator('#mx-count').getAttribute('data-rows');
        const cols = () => page.locator('#mx-count').getAttribute('data-cols');
        // Group (recorded per host at the run's start), name search with wildcard, severity.
        // rack-a holds hv001…hv011 odd, hv007 included: unreachable, so no facts, but its groups are known.
        await page.selectOption('#f-group', { label: 'rack-a' });
        expect(await rows()).toBe('6');
        await page.click('#f-reset');
        await page.fill('#f-q', 'hv00*');
        expect(await rows()).toBe('9');
        await page.fill('#f-q', 'EVIL');
        expect(await page.locator('#mx-body td.hn').allTextContents()).toEqual([EVIL_HOST]);
        await page.click('#f-reset');
        await page.selectOption('#f-sev', '0');
        expect(await cols()).toBe(String(CATALOG.filter(([, sev]) => sev === 'critical').length));
        await page.click('#f-reset');
        // Since when: hv005's rp_filter failure is older than this run; hv002's is new.
        await page.click('#changes .chip[data-kind="s"]');
        await page.locator('#changes [data-list="s"] [data-host]', { hasText: 'hv005' }).click();
        expect(await page.locator('#drawer .res[data-check="sysctl.rp-filter"] .since').textContent()).toBe(
          'failing since run 1 (2025-03-03 06:00 UTC) or earlier',
        );
        await page.keyboard.press('Escape');
        // The hostile VM names are in hv001's facts, as text.
        await page.locator('#mx-body td.hn', { hasText: 'hv001' }).click();
        expect(await page.locator('#drawer .kv').textContent()).toContain(HOSTILE.vmName);
        // What fleet did there: the changed step, its message and its (host-controlled) output, as text.
        expect(await page.locator('#drawer h4', { hasText: 'what fleet did' }).textContent()).toBe('what fleet did \u2014 1 step');
        const step = page.locator('#drawer .res.step');
        expect(await step.locator('.id').textContent()).toBe('bridge to declared state');
        expect(await step.locator('.msg').textContent()).toBe('applied: br0 in the declared state');
        expect(await step.locator('pre').textContent()).toBe(HOSTILE.stepOutput);
        await page.keyboard.press('Escape');
      },
    });
    expect(reportPath).toContain('report.html');
  });
});

describe('the browser guards themselves', () => {
  it('catch a page that does run injected script and fetch (so a clean result means something)', async () => {
    const { launchBrowser, openGuarded } = await import('./browser-checks.js');
    const { writeFileSync } = await import('node:fs');
    const { pathToFileURL } = await import('node:url');
    const file = join(dir, 'unsafe.html');
    writeFileSync(
      file,
      '<!doctype html><table><tbody id="mx-body"><tr><td>x</td></tr></tbody></table><img src="http://198.18.0.1/x.png" onerror="window.__pwned=1;alert(1)">',
    );
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
