/** fleet serve: real HTTP on loopback over a real database; read-only; refuses foreign Host headers; the served page runs nothing hostile. */
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReportServer, type RunningServer } from '../../../src/report/server.js';
import { openSqliteStore, type SqliteRunStore } from '../../../src/store/sqlite.js';
import { expectNothingRan, launchBrowser, openGuarded } from './browser-checks.js';
import { buildScenario, type Scenario } from './scenario.js';

const dir = mkdtempSync(join(tmpdir(), 'fleet-report-serve-'));
let s: Scenario;
let store: SqliteRunStore;
let server: RunningServer;
const log: string[] = [];

beforeAll(async () => {
  s = await buildScenario(dir);
  store = await openSqliteStore(s.db);
  server = await startReportServer(store, { port: 0, bind: '127.0.0.1', log: (l) => log.push(l) });
});
afterAll(async () => {
  try {
    await server?.close();
    await store?.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function get(
  path: string,
  opts: { method?: string; host?: string } = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        path,
        method: opts.method ?? 'GET',
        headers: { Host: opts.host ?? `127.0.0.1:${server.port}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('fleet serve', () => {
  it('listens on loopback only and serves the latest report with its CSP as a header too', async () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
    const r = await get('/');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(String(r.headers['content-security-policy'])).toMatch(/^default-src 'none'; script-src 'sha256-/);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.body).toContain(`"id":${s.run2},"playbook":"health-check"`);
    expect(r.body).toContain('"links":{"history":"/runs","previous":"/runs/1"}');
  });

  it('lists the history and serves any run and its exports', async () => {
    const h = await get('/runs');
    expect(h.status).toBe(200);
    expect(h.body).toContain(`<a href="/runs/${s.run1}">${s.run1}</a>`);
    expect(h.body).not.toContain('<script');
    const old = await get(`/runs/${s.run1}`);
    expect(old.body).toContain(`"id":${s.run1},`);
    const csv = await get(`/runs/${s.run1}/export.csv`);
    expect([csv.status, csv.headers['content-disposition']]).toEqual([200, `attachment; filename="fleet-run-${s.run1}.csv"`]);
    expect(csv.body.split('\r\n')[0]).toMatch(/^run_id,playbook,host/);
    expect(JSON.parse((await get(`/runs/${s.run2}/export.json`)).body).run_id).toBe(s.run2);
    expect((await get(`/runs/${s.run2}/export.xml`)).body).toMatch(/^<\?xml/);
    expect((await get('/runs/999')).status).toBe(404);
    expect((await get('/etc/passwd')).status).toBe(404);
    expect((await get('/runs/1/../../x')).status).toBe(404);
  });

  it('is read-only and answers only to its own address (DNS rebinding)', async () => {
    expect((await get('/', { method: 'POST' })).status).toBe(405);
    expect((await get('/', { method: 'DELETE' })).status).toBe(405);
    const head = await get('/runs', { method: 'HEAD' });
    expect([head.status, head.body]).toEqual([200, '']);
    expect((await get('/', { host: 'attacker.example' })).status).toBe(421);
    expect((await get('/', { host: `attacker.example:${server.port}` })).status).toBe(421);
    expect((await get('/', { host: `localhost:${server.port}` })).status).toBe(200);
    expect(log).toContain('POST / 405');
  });

  it('the served report runs nothing hostile and requests nothing else', async () => {
    const browser = await launchBrowser();
    try {
      const guard = await openGuarded(browser.context, server.url);
      expect(await guard.page.locator('[data-tile="hosts"] .v').textContent()).toBe('13');
      expect(await guard.page.locator('#nav a').first().getAttribute('href')).toBe('/runs');
      await expectNothingRan(guard);
    } finally {
      await browser.close();
    }
  });
});
