/**
 * Is a big fleet report usable? Opens the HTML report in Debian's chromium (kept off the network, as
 * in the report's browser tests) and times what a user waits for: the page until the matrix shows
 * its first rows, and one filter action (failing hosts only) until the table is laid out again.
 */
import { pathToFileURL } from 'node:url';
import { launchBrowser } from '../../test/fixtures/report/chromium.js';

export interface ReportInBrowser {
  /** goto() until the first matrix row is in the DOM. */
  readonly loadMs: number;
  /** setFilters({status: 'failing'}) until layout is done. */
  readonly filterMs: number;
  /** Hosts the filtered matrix lists. */
  readonly filteredRows: number;
}

export async function reportInBrowser(file: string): Promise<ReportInBrowser> {
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    const t0 = performance.now();
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('#mx-body tr[data-h]', { timeout: 120_000 });
    const loadMs = performance.now() - t0;
    // Runs in the page (tsconfig has no DOM lib): the same filter call the report's own controls make.
    const r = (await page.evaluate(`(() => {
      const t = performance.now();
      window.fleetReport.setFilters({ status: 'failing' });
      void document.getElementById('mx-body').offsetHeight;
      return { filterMs: performance.now() - t, rows: Number(document.getElementById('mx-count').getAttribute('data-rows')) };
    })()`)) as { filterMs: number; rows: number };
    return { loadMs, filterMs: r.filterMs, filteredRows: r.rows };
  } finally {
    await browser.close();
  }
}
