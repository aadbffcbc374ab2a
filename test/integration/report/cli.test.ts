/** fleet report / export / diff against a real SQLite results database. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunJson } from '../../../src/report/run-json.js';
import type { ReportModel } from '../../../src/report/model.js';
import { openSqliteStore } from '../../../src/store/sqlite.js';
import { HOSTILE } from '../../fixtures/report/synthetic-fleet.js';
import { runCli } from './cli-harness.js';
import { EVIL_HOST, buildScenario, type Scenario } from './scenario.js';

const dir = mkdtempSync(join(tmpdir(), 'fleet-report-cli-'));
const XSD = resolve(import.meta.dirname, '../../fixtures/report/junit.xsd');
let s: Scenario;
beforeAll(async () => {
  s = await buildScenario(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const island = (html: string) =>
  JSON.parse(/<script type="application\/json" id="fleet-data">([\s\S]*?)<\/script>/.exec(html)![1]!) as ReportModel;

describe('fleet report', () => {
  it('writes one HTML file for the latest run by default and says what it wrote', async () => {
    const r = await runCli(['report', '--db', s.db], dir);
    expect(r.code).toBe(0);
    const file = join(dir, `fleet-report-${s.run2}.html`);
    expect(r.stderr).toMatch(
      new RegExp(
        `^wrote ${file} \\(0\\.\\d\\d MB, \\d+ ms\\): run ${s.run2} health-check, 13 hosts, 3 failing, 1 unreachable, 3 checks failing\\n$`,
      ),
    );
    const model = island(readFileSync(file, 'utf8'));
    expect(model.run.id).toBe(s.run2);
    expect(model.changes?.previous.id).toBe(s.run1);
    expect(model.trend.map((t) => t.id)).toEqual([s.run1, s.run2]);
    expect(existsSync(`${file}.${process.pid}.tmp`)).toBe(false);
  });

  it('takes --run, --trend and -o (also - for stdout)', async () => {
    const r = await runCli(['report', '--db', s.db, '--run', String(s.run1), '--trend', '1', '-o', '-'], dir);
    expect(r.code).toBe(0);
    const model = island(r.stdout);
    expect(model.run.id).toBe(s.run1);
    expect(model.changes).toBeNull();
    expect(model.trend.map((t) => t.id)).toEqual([s.run1]);
    const out = join(dir, 'sub-report.html');
    expect((await runCli(['report', '--db', s.db, '--playbook', 'health-check', '-o', out], dir)).code).toBe(0);
    expect(statSync(out).size).toBeGreaterThan(50_000);
  });

  it.each([
    [['--run', '999'], 'fleet: no run 999 in the database\n'],
    [['--run', 'abc'], "fleet: 'abc' is not a run id (a positive number, or last)\n"],
    [['--playbook', 'nope'], "fleet: no runs of playbook 'nope' recorded yet\n"],
    [['--trend', '0'], 'fleet: --trend must be a whole number from 1 to 1000, not 0\n'],
    [['-o', '/nonexistent-dir/r.html'], 'fleet: cannot write /nonexistent-dir/r.html: ENOENT\n'],
  ])('refuses %j with one line', async (args, message) => {
    const r = await runCli(['report', '--db', s.db, ...args], dir);
    expect([r.code, r.stderr]).toEqual([1, message]);
  });
});

describe('fleet export', () => {
  it('json: the run document, hosts and fleet keyed by name', async () => {
    const r = await runCli(['export', 'last', '--format', 'json', '--db', s.db], dir);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as RunJson;
    expect(doc.run_id).toBe(s.run2);
    expect(Object.keys(doc.hosts)).toHaveLength(13);
    expect(doc.hosts['hv007']).toEqual({ status: 'unreachable', changed: false, reason: HOSTILE.reason, checks: {} });
    expect(doc.hosts['hv009']!.checks['bridge.mtu']).toEqual({ status: 'fail', severity: 'medium', message: HOSTILE.message });
    expect(doc.fleet['fleet.duplicate-mac']!.hosts).toEqual(['hv001', EVIL_HOST]);
  });

  it('junit: valid against the JUnit schema (xmllint), hostile text and all', async () => {
    const file = join(dir, 'junit.xml');
    const r = await runCli(['export', String(s.run2), '--format', 'junit', '-o', file, '--db', s.db], dir);
    expect([r.code, r.stderr]).toEqual([0, `wrote ${file}\n`]);
    const out = execFileSync('xmllint', ['--noout', '--schema', XSD, file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toBe('');
    const xml = readFileSync(file, 'utf8');
    expect(xml.match(/<testcase /g)).toHaveLength(13 * 30 + 1);
    expect(xml.match(/<failure /g)).toHaveLength(3 + 1);
    expect(xml.match(/<error /g)).toHaveLength(30);
  });

  it('csv: one row per host × check', async () => {
    const r = await runCli(['export', String(s.run1), '--format', 'csv', '--db', s.db], dir);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\r\n');
    expect(lines[0]).toBe('run_id,playbook,host,host_status,check_id,status,severity,message,fix_status,host_reason');
    expect(lines.filter((l) => l.length > 0)).toHaveLength(1 + 13 * 30);
  });

  it('refuses an unknown format with a usage error', async () => {
    const r = await runCli(['export', 'last', '--format', 'xls', '--db', s.db], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^fleet: Invalid values:/);
  });
});

describe('fleet diff', () => {
  it('shows the fixed and the injected fault between two runs', async () => {
    const r = await runCli(['diff', String(s.run1), String(s.run2), '--db', s.db], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^hv002 {2}\[ok -> failed\]/m);
    expect(r.stdout).toMatch(/^ {2}NEW FAILURE netfilter\.nft-forward +pass -> fail/m);
    expect(r.stdout).toMatch(/^hv003 {2}\[failed -> ok\]/m);
    expect(r.stdout).toMatch(/^ {2}fixed +bridge\.mtu +fail -> pass/m);
    expect(r.stdout).toMatch(/^ {2}NEW FAILURE fleet\.duplicate-mac/m);
  });

  it('--last 2, and no arguments, compare the newest run with the one before; --json is machine-readable', async () => {
    const a = await runCli(['diff', '--last', '2', '--db', s.db], dir);
    const b = await runCli(['diff', '--db', s.db], dir);
    expect(a.stdout).toBe(b.stdout);
    const j = JSON.parse((await runCli(['diff', '--last', '2', '--json', '--db', s.db], dir)).stdout) as {
      a: { id: number };
      b: { id: number };
      summary: unknown;
    };
    expect([j.a.id, j.b.id]).toEqual([s.run1, s.run2]);
    expect(j.summary).toEqual({ newFailures: 3, fixed: 1, changed: 0, hostsChanged: 3 });
  });

  it('refuses what it cannot compare', async () => {
    expect((await runCli(['diff', '--last', '3', '--db', s.db], dir)).stderr).toBe(
      'fleet: --last compares two runs: use --last 2, not --last 3\n',
    );
    expect((await runCli(['diff', String(s.run1), '--db', s.db], dir)).stderr).toBe(
      `fleet: run ${s.run1} (health-check) has no earlier finished run of the same playbook to compare with\n`,
    );
    expect((await runCli(['diff', '--last', '2', '--playbook', 'other', '--db', s.db], dir)).stderr).toBe(
      "fleet: need 2 recorded runs of playbook 'other', found 0\n",
    );
  });
});

describe('fleet serve (command)', () => {
  it('serves until SIGINT/SIGTERM, then closes cleanly with exit 0', async () => {
    let url = '';
    let finished: { code: number; stderr: string } | undefined;
    const seen = new Promise<void>((resolve) => {
      void (async () => {
        const done = await runCli(['serve', '--port', '0', '--db', s.db], dir, (text) => {
          const m = /^serving (http:\/\/127\.0\.0\.1:\d+\/) /m.exec(text);
          if (m) {
            url = m[1]!;
            resolve();
          }
        });
        finished = done;
      })();
    });
    await seen;
    const res = await fetch(`${url}runs`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('fleet — run history');
    process.emit('SIGTERM');
    for (let i = 0; i < 100 && !finished; i++) await new Promise((r) => setTimeout(r, 20));
    expect(finished?.code).toBe(0);
    expect(finished?.stderr).toContain('GET /runs 200\n');
    await expect(fetch(url)).rejects.toThrow();
  });
});

describe('fleet serve (arguments)', () => {
  it('refuses a port out of range, and a port in use, with one line', async () => {
    expect((await runCli(['serve', '--port', '70000', '--db', s.db], dir)).stderr).toBe('fleet: --port must be 0-65535, not 70000\n');
    expect((await runCli(['serve', '--port', '0', '--trend', '-3', '--db', s.db], dir)).stderr).toBe(
      'fleet: --trend must be a whole number from 1 to 1000, not -3\n',
    );
    const { createServer } = await import('node:net');
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (busy.address() as { port: number }).port;
      expect((await runCli(['serve', '--port', String(port), '--db', s.db], dir)).stderr).toBe(
        `fleet: port ${port} on 127.0.0.1 is already in use (try --port)\n`,
      );
    } finally {
      busy.close();
    }
  });
});

describe('the database is only read', () => {
  it('leaves the runs as they were', async () => {
    const store = await openSqliteStore(s.db);
    try {
      expect((await store.listRuns()).map((r) => [r.id, r.status])).toEqual([
        [s.run2, 'failed'],
        [s.run1, 'failed'],
      ]);
    } finally {
      await store.close();
    }
  });
});
