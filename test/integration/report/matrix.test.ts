/** The virtualised matrix at scale in chromium: rows land where the scrollbar says, filters are quick, with 3,000 hosts. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckStatus } from '../../../src/core/check.js';
import { renderReportHtml } from '../../../src/report/html.js';
import { assembleReport } from '../../../src/report/model.js';
import type { CheckRow, HostRow } from '../../../src/store/types.js';
import { launchBrowser } from '../../fixtures/report/chromium.js';
import { CATALOG, hostNames } from '../../fixtures/report/synthetic-fleet.js';

const dir = mkdtempSync(join(tmpdir(), 'fleet-report-matrix-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const N = 3000;

function bigReport(): string {
  const names = hostNames(N);
  const hosts: HostRow[] = names.map((host, i) => ({
    runId: 1,
    host,
    status: i % 10 === 0 ? 'failed' : 'ok',
    reason: null,
    startedAt: 0,
    finishedAt: 1,
  }));
  const checks: CheckRow[] = [];
  names.forEach((host, i) =>
    CATALOG.forEach(([checkId, severity], k) => {
      const status: CheckStatus = i % 10 === 0 && k === i % 30 ? 'fail' : 'pass';
      checks.push({
        runId: 1,
        host,
        checkId,
        status,
        severity,
        message: `${checkId} ${status}`,
        evidence: undefined,
        fix: null,
        fixStatus: null,
      });
    }),
  );
  const run = {
    id: 1,
    playbook: 'health-check',
    inventorySources: [],
    limit: null,
    options: {},
    controller: 'c',
    pid: 1,
    user: 'u',
    startedAt: 0,
    finishedAt: 1000,
    status: 'failed' as const,
    hostCounts: {},
  };
  return renderReportHtml(
    assembleReport({
      data: { run, hosts, checks, fleet: [], groups: new Map() },
      facts: new Map(),
      previous: null,
      history: [],
      trend: [run],
      generatedAt: 2000,
    }),
  );
}

describe('matrix with 3,000 hosts', () => {
  it('renders only what is in view, puts the last host at the bottom, and filters in well under a second', async () => {
    const file = join(dir, 'big.html');
    writeFileSync(file, bigReport());
    const browser = await launchBrowser();
    try {
      const page = await browser.context.newPage();
      await page.goto(pathToFileURL(file).href);
      await page.waitForSelector('#mx-body tr[data-h]');
      // Hosts hv0011, hv0041, … (i % 10 === 0 and i % 30 === 10) fail CATALOG[10]: every 30th host.
      const column = CATALOG.map(([id]) => id)
        .sort()
        .indexOf(CATALOG[10]![0]);
      const r = (await page.evaluate(`(async () => {
        const frame = () => new Promise((res) => requestAnimationFrame(() => requestAnimationFrame(res)));
        const wrap = document.getElementById('mx-wrap'), body = document.getElementById('mx-body');
        const rowH = body.querySelector('tr[data-h]').getBoundingClientRect().height;
        const rendered = body.querySelectorAll('tr[data-h]').length;
        wrap.scrollTop = wrap.scrollHeight;
        await frame(); await frame();
        const rows = [...body.querySelectorAll('tr[data-h]')];
        const lastRow = rows[rows.length - 1];
        const box = lastRow.getBoundingClientRect(), view = wrap.getBoundingClientRect();
        const mid = rows.find((tr) => { const b = tr.getBoundingClientRect(); return b.top >= view.top + 200; });
        const t0 = performance.now();
        window.fleetReport.setFilters({ check: ${column}, status: 'failing' });
        void body.offsetHeight;
        const filterMs = performance.now() - t0;
        return { rowH, rendered, last: lastRow.querySelector('td.hn').textContent, lastBottom: box.bottom, viewBottom: view.bottom,
          midIndex: mid ? Number(mid.getAttribute('data-h')) : -1, scrollRatio: wrap.scrollTop / wrap.scrollHeight,
          filterMs, count: document.getElementById('mx-count').getAttribute('data-rows') };
      })()`)) as {
        rowH: number;
        rendered: number;
        last: string;
        lastBottom: number;
        viewBottom: number;
        midIndex: number;
        filterMs: number;
        count: string;
      };
      expect(r.rowH).toBe(20);
      expect(r.rendered).toBeLessThan(120);
      expect(r.last).toBe(`hv${N}`);
      // The last row sits at the bottom of the scroll area (within a row of it), not above or below.
      expect(Math.abs(r.viewBottom - r.lastBottom)).toBeLessThan(25);
      expect(r.midIndex).toBeGreaterThan(N - 60);
      expect(r.count).toBe(String(N / 30));
      expect(r.filterMs).toBeLessThan(1000);
    } finally {
      await browser.close();
    }
  });
});

describe('degenerate runs', () => {
  it('an ad-hoc run without checks, and a run without hosts, render without errors', async () => {
    const run = {
      id: 3,
      playbook: 'exec',
      inventorySources: [],
      limit: 'web*',
      options: {},
      controller: 'c',
      pid: 1,
      user: 'u',
      startedAt: 0,
      finishedAt: null,
      status: 'interrupted' as const,
      hostCounts: {},
    };
    const hosts: HostRow[] = [
      { runId: 3, host: 'hv1', status: 'ok', reason: null, startedAt: 0, finishedAt: 1 },
      { runId: 3, host: 'hv2', status: 'failed', reason: 'exit code 1: No such file', startedAt: 0, finishedAt: 1 },
      { runId: 3, host: 'hv3', status: 'unreachable', reason: 'connection refused', startedAt: 0, finishedAt: 1 },
    ];
    const page = (h: HostRow[]) =>
      renderReportHtml(
        assembleReport({
          data: { run, hosts: h, checks: [], fleet: [], groups: new Map() },
          facts: new Map(),
          previous: null,
          history: [],
          trend: [run],
          generatedAt: 5,
        }),
      );
    const browser = await launchBrowser();
    try {
      for (const [name, h, expectRows] of [
        ['no-checks', hosts, 3],
        ['no-hosts', [], 0],
      ] as const) {
        const file = join(dir, `${name}.html`);
        writeFileSync(file, page([...h]));
        const p = await browser.context.newPage();
        const errors: string[] = [];
        p.on('pageerror', (e) => errors.push(e.message));
        p.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
        await p.goto(pathToFileURL(file).href);
        await p.waitForSelector('#mx-body tr');
        expect(await p.locator('#mx-count').getAttribute('data-rows')).toBe(String(expectRows));
        expect(await p.locator('#ranked').textContent()).toBe('This run recorded no check results.');
        if (expectRows) {
          await p.selectOption('#f-status', 'failing');
          expect(await p.locator('#mx-body td.hn').allTextContents()).toEqual(['hv2']);
          await p.locator('#mx-body td.hn', { hasText: 'hv2' }).click();
          expect(await p.locator('#drawer .reason').textContent()).toBe('reason: exit code 1: No such file');
        } else {
          expect(await p.locator('#mx-body').textContent()).toBe('No host matches these filters.');
        }
        expect(errors).toEqual([]);
        await p.close();
      }
    } finally {
      await browser.close();
    }
  });
});
