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
