/** Changes, flapping and the trend over many runs recorded in a real database. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadReportInput } from '../../../src/report/build-report.js';
import { assembleReport } from '../../../src/report/model.js';
import { previousRun, runsBefore, selectRun } from '../../../src/report/select-run.js';
import { openSqliteStore, type SqliteRunStore } from '../../../src/store/sqlite.js';
import { faults, hostNames, recordSyntheticRun } from '../../fixtures/report/synthetic-fleet.js';

const dir = mkdtempSync(join(tmpdir(), 'fleet-report-history-'));
const hosts = hostNames(3);
const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 1);
let store: SqliteRunStore;
const ids: number[] = [];
let other = 0;
let interrupted = 0;

// hv001 nic.link fails on even runs (flapping); hv002 bridge.up fails in the last run only (new);
// hv003 bridge.exists fails in every run but the last (fixed).
beforeAll(async () => {
  store = await openSqliteStore(join(dir, 'fleet.db'));
  for (let i = 0; i < 40; i++) {
    const f: [string, string][] = [];
    if (i % 2 === 0) f.push(['hv001', 'nic.link']);
    if (i === 39) f.push(['hv002', 'bridge.up']);
    if (i < 39) f.push(['hv003', 'bridge.exists']);
    ids.push(await recordSyntheticRun(store, { hosts, checks: 9, startedAt: T0 + i * DAY, faults: faults(f), seed: i }));
    // Other playbooks and an interrupted run interleave; neither may count as "the previous run".
    if (i === 37) other = await recordSyntheticRun(store, { playbook: 'fix-bridges', hosts, checks: 9, startedAt: T0 + i * DAY + 1000 });
    if (i === 38)
      interrupted = await recordSyntheticRun(store, {
        hosts: hosts.slice(0, 1),
        checks: 9,
        startedAt: T0 + i * DAY + 2000,
        status: 'interrupted',
      });
  }
}, 60_000);
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('run selection over a long history', () => {
  it('finds the previous finished run of the same playbook, skipping others and interrupted ones', async () => {
    const last = await selectRun(store, { playbook: 'health-check' });
    expect(last.id).toBe(ids[39]);
    // The interrupted run started after ids[38], but only finished runs are compared with.
    expect((await store.getRun(interrupted))?.startedAt).toBeGreaterThan((await store.getRun(ids[38]!))!.startedAt);
    expect((await previousRun(store, last))?.id).toBe(ids[38]);
    expect((await selectRun(store, {})).id).toBe(ids[39]);
    expect((await selectRun(store, { run: other })).playbook).toBe('fix-bridges');
    await expect(selectRun(store, { run: other, playbook: 'health-check' })).rejects.toThrow(
      `run ${other} is of playbook 'fix-bridges', not 'health-check'`,
    );
  });
  it('walks back past its first window when the run is old', async () => {
    const r = (await store.getRun(ids[5]!))!;
    expect((await runsBefore(store, r, 3)).map((x) => x.id)).toEqual([ids[4], ids[3], ids[2]]);
    expect(await runsBefore(store, (await store.getRun(ids[0]!))!, 3)).toEqual([]);
  });
});

describe('report history', () => {
  it('classifies flapping, new and fixed against the previous run and a five-run window', async () => {
    const m = assembleReport(await loadReportInput(store, ids[39]!, { now: T0 + 41 * DAY }));
    expect(m.changes?.previous.id).toBe(ids[38]);
    expect(m.changes?.window).toBe(5);
    const name = (h: number) => m.hosts[h]![0];
    const check = (k: number) => m.checks[k]!.id;
    expect(m.changes!.checks.map(([h, k, kind, hist]) => `${name(h)} ${check(k)} ${kind} ${hist}`).sort()).toEqual([
      'hv001 nic.link f pfpfp',
      'hv002 bridge.up n ppppf',
      'hv003 bridge.exists x ffffp',
    ]);
    expect(m.changes!.hosts).toEqual([]);
  });

  it('plots the last N finished runs of the playbook, oldest first, this one last', async () => {
    const m = assembleReport(await loadReportInput(store, ids[39]!, { trend: 30 }));
    expect(m.trend.map((t) => t.id)).toEqual(ids.slice(10));
    expect(m.trend.at(-1)).toEqual({ id: ids[39], startedAt: T0 + 39 * DAY, status: 'failed', hosts: 3, failed: 1, unreachable: 0 });
    const short = assembleReport(await loadReportInput(store, ids[20]!, { trend: 4 }));
    expect(short.trend.map((t) => t.id)).toEqual(ids.slice(17, 21));
  });
});
