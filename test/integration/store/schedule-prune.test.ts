/** Retention of a schedule's runs (both backends): what is kept, what goes, and that nothing is left behind. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunStatus } from '../../../src/core/result.js';
import type { Retention } from '../../../src/schedule/types.js';
import type { SqlDb } from '../../../src/store/sql-db.js';
import type { SqlRunStore } from '../../../src/store/sql-run-store.js';
import { BACKENDS } from './backends.js';
import { newRun, step } from './helpers.js';

const DAY = 86_400_000;
const NOW = 1_800_000_000_000;
const CHILD_TABLES = ['run_hosts', 'run_host_groups', 'steps', 'facts', 'check_results', 'fleet_checks', 'schedule_runs'];

/** A run of `schedule` with a row in every table that hangs off a run, and its `ran` fire. */
async function scheduledRun(store: SqlRunStore, schedule: string, startedAt: number, status: RunStatus = 'completed'): Promise<number> {
  const sched = store.scheduleStore();
  await sched.recordFire(schedule, startedAt, 'ran', '');
  const id = await store.startRun(newRun({ startedAt }));
  store.recordHost(id, { host: 'hv01', status: 'ok', reason: null, startedAt, finishedAt: startedAt + 10 });
  store.recordHostGroups(id, 'hv01', ['dc1']);
  store.recordStep(id, 'hv01', step(1, { startedAt }));
  store.recordFacts(id, 'hv01', { kernel: '6.1' });
  store.recordCheck(id, 'hv01', { id: 'sysctl.ip-forward', status: 'pass', severity: 'medium', message: 'ok' });
  store.recordFleetCheck(id, { id: 'fleet.duplicate-mac', status: 'pass', severity: 'critical', message: 'ok', hosts: ['hv01'] });
  if (status !== 'running') store.finishRun(id, status, startedAt + 20);
  await store.flush();
  await sched.linkRun(id, schedule, startedAt);
  return id;
}

/** Rows in `table` whose run no longer exists. */
async function orphans(db: SqlDb): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of CHILD_TABLES) {
    const row = await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t} WHERE run_id NOT IN (SELECT id FROM runs)`);
    out[t] = Number(row?.n ?? -1);
  }
  const fires = await db.get<{ n: number }>(
    'SELECT COUNT(*) AS n FROM schedule_fires WHERE run_id IS NOT NULL AND run_id NOT IN (SELECT id FROM runs)',
  );
  out['schedule_fires'] = Number(fires?.n ?? -1);
  return out;
}
const NO_ORPHANS = Object.fromEntries([...CHILD_TABLES, 'schedule_fires'].map((t) => [t, 0]));

const retention = (over: Partial<Retention>): Retention => ({ keepRuns: undefined, keepDays: undefined, minKept: 0, ...over });

describe.each(BACKENDS)('pruneRuns ($name)', (b) => {
  beforeAll(() => b.setup());
  afterAll(() => b.teardown());

  const linked = async (db: SqlDb, schedule: string) =>
    (await db.all<{ run_id: number }>('SELECT run_id FROM schedule_runs WHERE schedule = ? ORDER BY run_id', [schedule])).map(
      (r) => r.run_id,
    );

  it('keeps exactly keepRuns (the newest), leaves no orphan rows, and touches no other schedule or unscheduled run', async () => {
    const target = await b.newTarget();
    const store = await b.open({}, target);
    const ids: number[] = [];
    for (let i = 0; i < 10; i++) ids.push(await scheduledRun(store, 'nightly', NOW - (10 - i) * 1000));
    await store.scheduleStore().recordFire('nightly', NOW - 3500, 'skipped', 'the previous run is still going');
    const other = await scheduledRun(store, 'hourly', NOW - 100 * DAY);
    const manual = await store.startRun(newRun({ startedAt: NOW - 100 * DAY }));
    store.finishRun(manual, 'completed', NOW);
    await store.flush();

    expect(await store.scheduleStore().pruneRuns('nightly', retention({ keepRuns: 4, minKept: 1 }), NOW)).toEqual({ deleted: 6 });
    const raw = await b.raw(target);
    expect(await linked(raw, 'nightly')).toEqual(ids.slice(6));
    expect((await store.listRuns({ limit: 100 })).map((r) => r.id).sort((x, y) => x - y)).toEqual([...ids.slice(6), other, manual]);
    expect(await orphans(raw)).toEqual(NO_ORPHANS);
    // Fire history is trimmed to the window of the kept runs: their fires and the skip between them.
    expect(await raw.all('SELECT due_at, outcome, run_id FROM schedule_fires WHERE schedule = ? ORDER BY due_at', ['nightly'])).toEqual([
      { due_at: NOW - 4000, outcome: 'ran', run_id: ids[6] },
      { due_at: NOW - 3500, outcome: 'skipped', run_id: null },
      { due_at: NOW - 3000, outcome: 'ran', run_id: ids[7] },
      { due_at: NOW - 2000, outcome: 'ran', run_id: ids[8] },
      { due_at: NOW - 1000, outcome: 'ran', run_id: ids[9] },
    ]);
    expect(await raw.get('SELECT COUNT(*) AS n FROM schedule_fires WHERE schedule = ?', ['hourly'])).toEqual({ n: 1 });
    expect(await store.scheduleStore().pruneRuns('nightly', retention({ keepRuns: 4, minKept: 1 }), NOW)).toEqual({ deleted: 0 });
    await raw.close();
    await store.close();
  });

  it('keeps the newest minKept even when keepDays says they are too old; keepDays alone deletes only older runs', async () => {
    const target = await b.newTarget();
    const store = await b.open({}, target);
    const old: number[] = [];
    for (let i = 0; i < 5; i++) old.push(await scheduledRun(store, 'weekly', NOW - (20 - i) * DAY));
    const sched = store.scheduleStore();
    expect(await sched.pruneRuns('weekly', retention({ keepDays: 7, minKept: 2 }), NOW)).toEqual({ deleted: 3 });
    const raw = await b.raw(target);
    expect(await linked(raw, 'weekly')).toEqual(old.slice(3));

    const fresh = await scheduledRun(store, 'weekly', NOW - DAY);
    expect(await sched.pruneRuns('weekly', retention({ keepDays: 7, minKept: 1 }), NOW)).toEqual({ deleted: 2 });
    expect(await linked(raw, 'weekly')).toEqual([fresh]);
    expect(await sched.pruneRuns('weekly', retention({ minKept: 0 }), NOW), 'no rule: nothing goes').toEqual({ deleted: 0 });
    expect(await orphans(raw)).toEqual(NO_ORPHANS);
    await raw.close();
    await store.close();
  });

  it('never deletes a running run, however old', async () => {
    const target = await b.newTarget();
    const store = await b.open({}, target);
    const stuck = await scheduledRun(store, 'nightly', NOW - 30 * DAY, 'running');
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push(await scheduledRun(store, 'nightly', NOW - (5 - i) * 1000));
    expect(await store.scheduleStore().pruneRuns('nightly', retention({ keepRuns: 2, keepDays: 1 }), NOW)).toEqual({ deleted: 3 });
    const raw = await b.raw(target);
    expect(await linked(raw, 'nightly')).toEqual([stuck, ...ids.slice(3)]);
    expect((await store.getRun(stuck))?.status).toBe('running');
    expect((await store.getSteps(stuck)).length).toBe(1);
    // The kept old run holds the fire window open: the pruned runs' fires stay, unlinked.
    expect(await raw.get('SELECT COUNT(*) AS n, COUNT(run_id) AS linked FROM schedule_fires WHERE schedule = ?', ['nightly'])).toEqual({
      n: 6,
      linked: 3,
    });
    expect(await orphans(raw)).toEqual(NO_ORPHANS);
    await raw.close();
    await store.close();
  });

  it('prunes more than one batch (50 runs per transaction)', async () => {
    const target = await b.newTarget();
    const store = await b.open({}, target);
    for (let i = 0; i < 120; i++) await scheduledRun(store, 'often', NOW - (120 - i) * 1000);
    expect(await store.scheduleStore().pruneRuns('often', retention({ keepRuns: 5, minKept: 1 }), NOW)).toEqual({ deleted: 115 });
    const raw = await b.raw(target);
    expect((await linked(raw, 'often')).length).toBe(5);
    expect(await orphans(raw)).toEqual(NO_ORPHANS);
    await raw.close();
    await store.close();
  });

  // A file's page count is SQLite's; PostgreSQL leaves space to autovacuum (no such test there, rather than a skipped one).
  if (b.name === 'sqlite')
    it('does not grow the file once retention is reached: freed pages are reused', async () => {
      const target = await b.newTarget();
      const store = await b.open({}, target);
      const sched = store.scheduleStore();
      const keep = retention({ keepRuns: 20, minKept: 1 });
      const raw = await b.raw(target);
      const pages = async () => Number((await raw.get<{ page_count: number }>('PRAGMA page_count'))?.page_count);
      let t = NOW - 1_000_000;
      // Reach retention, then a round more so the freelist holds a full retention's worth of pages.
      for (let i = 0; i < 40; i++) {
        await scheduledRun(store, 'steady', ++t);
        await sched.pruneRuns('steady', keep, NOW);
      }
      const before = await pages();
      for (let i = 0; i < 200; i++) {
        await scheduledRun(store, 'steady', ++t);
        await sched.pruneRuns('steady', keep, NOW);
      }
      const after = await pages();
      expect((await linked(raw, 'steady')).length).toBe(20);
      expect(after, `page_count ${before} -> ${after}`).toBeLessThanOrEqual(before);
      await raw.close();
      await store.close();
    });
});
