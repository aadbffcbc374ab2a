/**
 * Reusable browser checks for fleet's HTML report, driven by Debian's chromium through playwright-core.
 * `verifyReportInBrowser(dbPath, runIds)` works on ANY results database (synthetic here; the lead's
 * simulated-fleet test reuses it): it renders the report of the last run, opens it from disk and
 * proves that what the page shows equals what the database holds, and that nothing in it ran script
 * or reached for the network.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from '../../fixtures/report/chromium.js';
import { expect } from 'vitest';
import { buildReport } from '../../../src/report/build-report.js';
import { openSqliteStore } from '../../../src/store/sqlite.js';
import type { CheckRow } from '../../../src/store/types.js';

// Callbacks passed to page.evaluate run in the page, not in node. tsconfig has no DOM lib (on purpose:
// src/ must not see browser globals), so these module-local declarations describe the little they touch.
interface PageElement {
  readonly outerHTML: string;
  readonly tagName: string;
  readonly attributes: Iterable<{ readonly name: string }>;
}
declare const document: {
  addEventListener(type: 'securitypolicyviolation', fn: (e: { violatedDirective: string; blockedURI: string }) => void): void;
  querySelectorAll(selector: string): Iterable<PageElement> & { readonly length: number };
};
declare const window: { readonly __pwned?: unknown };

export { CHROMIUM, launchBrowser } from '../../fixtures/report/chromium.js';
export const SCREENSHOTS = resolve(import.meta.dirname, '../../../test-output/report');

/** What a page did that it must not: dialogs, requests other than the report itself, console errors, CSP violations. */
export interface PageGuard {
  readonly page: Page;
  readonly dialogs: string[];
  readonly requests: string[];
  readonly errors: string[];
}

/** Opens `url` with every guard attached before the page loads; non-file requests are recorded and aborted. */
export async function openGuarded(context: BrowserContext, url: string): Promise<PageGuard> {
  const page = await context.newPage();
  const guard: PageGuard = { page, dialogs: [], requests: [], errors: [] };
  page.on('dialog', (d) => {
    guard.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  page.on('request', (r) => {
    if (r.url() !== url) guard.requests.push(r.url());
  });
  page.on('console', (m) => {
    if (m.type() === 'error') guard.errors.push(m.text());
  });
  page.on('pageerror', (e) => guard.errors.push(`pageerror: ${e.message}`));
  await page.route('**/*', (route) => (route.request().url() === url ? route.continue() : route.abort()));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(url);
  await page.waitForSelector('#mx-body tr');
  return guard;
}

/** Asserts the guard saw nothing: no dialog, no request, no console error, no CSP violation, no injected element. */
export async function expectNothingRan(guard: PageGuard): Promise<void> {
  const { page } = guard;
  // Let any onerror/onload handlers that might have been injected get their chance first.
  await page.waitForTimeout(150);
  expect(guard.dialogs, 'dialogs opened').toEqual([]);
  expect(guard.requests, 'requests other than the report file').toEqual([]);
  expect(guard.errors, 'console errors / CSP violations').toEqual([]);
  const injected = await page.evaluate(() => ({
    pwned: window.__pwned ?? null,
    // The page has exactly three scripts (data island, uPlot, report) and builds no images, iframes or SVG.
    scripts: document.querySelectorAll('script').length,
    foreign: [...document.querySelectorAll('img, iframe, svg, object, embed, link, base, form, meta[http-equiv=refresh]')].map((e) =>
      e.outerHTML.slice(0, 80),
    ),
    handlers: [...document.querySelectorAll('*')].flatMap((e) =>
      [...e.attributes].filter((a) => a.name.startsWith('on')).map((a) => `${e.tagName}.${a.name}`),
    ),
  }));
  expect(injected).toEqual({ pwned: null, scripts: 3, foreign: [], handlers: [] });
}

/** What the database says, computed here independently of the report code. */
async function expectationsFromDb(dbPath: string, runIds: readonly number[]) {
  const store = await openSqliteStore(dbPath);
  try {
    const runId = runIds[runIds.length - 1]!;
    const run = (await store.getRun(runId))!;
    const hosts = await store.getHosts(runId);
    const checks = await store.getChecks(runId);
    const failing = (c: CheckRow) => c.status === 'fail' || c.status === 'error';
    const failingByCheck = new Map<string, Set<string>>();
    for (const c of checks.filter(failing)) failingByCheck.set(c.checkId, (failingByCheck.get(c.checkId) ?? new Set()).add(c.host));
    const prevId = runIds.length > 1 ? runIds[runIds.length - 2]! : undefined;
    const prevFailing = new Set(
      prevId === undefined ? [] : (await store.getChecks(prevId)).filter(failing).map((c) => `${c.host} ${c.checkId}`),
    );
    const prevKnown = new Set(prevId === undefined ? [] : (await store.getChecks(prevId)).map((c) => `${c.host} ${c.checkId}`));
    const nowFailing = new Set(checks.filter(failing).map((c) => `${c.host} ${c.checkId}`));
    return {
      run,
      checks,
      tiles: {
        hosts: String(hosts.length),
        ok: String(hosts.filter((h) => h.status === 'ok' || h.status === 'changed').length),
        failing: String(hosts.filter((h) => h.status === 'failed').length),
        unreachable: String(hosts.filter((h) => h.status === 'unreachable').length),
        'checks-failing': String(failingByCheck.size),
      },
      failingByCheck,
      newFailures: [...nowFailing].filter((k) => !prevFailing.has(k) && prevKnown.has(k)),
      fixed: checks.filter((c) => !failing(c) && prevFailing.has(`${c.host} ${c.checkId}`)).map((c) => `${c.host} ${c.checkId}`),
      comparedWith: prevId,
    };
  } finally {
    await store.close();
  }
}

export interface VerifyOptions {
  /** Screenshot file name prefix under test-output/report/. */
  readonly name?: string;
  /** Where to write the report (default: a temp file, removed afterwards). */
  readonly reportPath?: string;
  /** More checks on the open page (scenario-specific), run before the no-script/no-network checks. */
  readonly extra?: (page: Page) => Promise<void>;
}

/**
 * Renders the report of runIds' LAST run from `dbPath`, opens it in chromium and checks it against
 * the database: tiles, filtering the matrix to one failing check, a failing host's drill-down
 * message, the change list against the previous id in runIds (when given, and when it is the run the
 * report compares with), and that no script, dialog or request came out of host data.
 */
export async function verifyReportInBrowser(
  dbPath: string,
  runIds: readonly number[],
  opts: VerifyOptions = {},
): Promise<{ reportPath: string }> {
  const expected = await expectationsFromDb(dbPath, runIds);
  const dir = mkdtempSync(join(tmpdir(), 'fleet-report-html-'));
  const reportPath = opts.reportPath ?? join(dir, 'report.html');
  const store = await openSqliteStore(dbPath);
  let model;
  try {
    const built = await buildReport(store, expected.run.id);
    model = built.model;
    writeFileSync(reportPath, built.html);
  } finally {
    await store.close();
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  const name = opts.name ?? `run${expected.run.id}`;
  const browser = await launchBrowser();
  try {
    const url = pathToFileURL(reportPath).href;
    const guard = await openGuarded(browser.context, url);
    const { page } = guard;
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-overview.png`), fullPage: false });

    // 1. Tiles equal the database.
    for (const [tile, value] of Object.entries(expected.tiles)) {
      expect(await page.locator(`[data-tile="${tile}"] .v`).textContent(), `tile ${tile}`).toBe(value);
    }

    // 2. Filter the matrix to the most widespread failing check: exactly its failing hosts remain.
    const [checkId, hosts] = [...expected.failingByCheck].sort((a, b) => b[1].size - a[1].size)[0] ?? [];
    if (checkId && hosts) {
      const index = model.checks.findIndex((c) => c.id === checkId);
      await page.selectOption('#f-check', String(index));
      await page.selectOption('#f-status', 'failing');
      const count = page.locator('#mx-count');
      expect(await count.getAttribute('data-cols')).toBe('1');
      expect(await count.getAttribute('data-rows')).toBe(String(hosts.size));
      expect(await page.locator('#mx-head th[data-col]').evaluateAll((ths) => ths.map((t) => t.getAttribute('data-col')))).toEqual([
        checkId,
      ]);
      const shown = await page.locator('#mx-body tr[data-h] td.hn').allTextContents();
      // The matrix is virtualised: rows beyond the viewport are not in the DOM, so compare what is.
      expect(shown.length).toBeGreaterThan(0);
      expect(shown.length).toBeLessThanOrEqual(hosts.size);
      expect(
        shown.filter((h) => !hosts.has(h)),
        'hosts shown that do not fail the check',
      ).toEqual([]);
      if (hosts.size <= 30) expect(new Set(shown)).toEqual(hosts);
      await page.screenshot({ path: join(SCREENSHOTS, `${name}-filtered.png`) });

      // 3. Open a failing host: its message is the stored one.
      const host = shown[0]!;
      await page.locator('#mx-body tr[data-h] td.hn', { hasText: host }).first().click();
      const drawer = page.locator('#drawer');
      await drawer.waitFor({ state: 'visible' });
      expect(await drawer.getAttribute('data-host-name')).toBe(host);
      const stored = expected.checks.filter((c) => c.host === host && c.checkId === checkId).map((c) => c.message);
      const shownMsg = await drawer.locator(`.res[data-check="${checkId}"] .msg`).allTextContents();
      expect(shownMsg).toEqual(stored);
      await page.screenshot({ path: join(SCREENSHOTS, `${name}-host.png`) });
      await page.keyboard.press('Escape');
      await page.click('#f-reset');
    }

    // 4. The change list names every new failure and every fix since the previous run.
    if (expected.comparedWith !== undefined && model.changes?.previous.id === expected.comparedWith) {
      const listed = async (kind: string) => {
        await page.click(`#changes .chip[data-kind="${kind}"]`);
        return page
          .locator(`#changes [data-list="${kind}"] .grp`)
          .evaluateAll((groups) =>
            groups.flatMap((g) => [...g.querySelectorAll('[data-host]')].map((b) => `${b.textContent} ${g.getAttribute('data-check')}`)),
          );
      };
      const flapping = new Set(await listed('f'));
      const fresh = new Set(await listed('n'));
      const fixed = new Set(await listed('x'));
      for (const k of expected.newFailures) expect(fresh.has(k) || flapping.has(k), `new failure ${k} listed`).toBe(true);
      for (const k of expected.fixed) expect(fixed.has(k) || flapping.has(k), `fix ${k} listed`).toBe(true);
      await page.screenshot({ path: join(SCREENSHOTS, `${name}-changes.png`) });
    }

    if (opts.extra) await opts.extra(page);

    // 5. Nothing from the hosts ran, asked, or fetched anything.
    await expectNothingRan(guard);
    await guard.page.close();
  } finally {
    await browser.close();
    if (!opts.reportPath) rmSync(dir, { recursive: true, force: true });
  }
  return { reportPath };
}
