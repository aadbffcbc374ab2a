/** The scheduling loop on fake time: fires, jitter, overlap, missed runs, locks, stop and reload. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryHistory, MemoryLocks } from '../../../src/daemon/memory.js';
import { Scheduler } from '../../../src/daemon/scheduler.js';
import type { RunOutcome } from '../../../src/daemon/types.js';
import type { Schedule } from '../../../src/schedule/types.js';

const T0 = Date.UTC(2027, 0, 1, 0, 0, 0);

function schedule(name: string, over: Partial<Schedule> = {}): Schedule {
  return {
    name,
    playbook: 'health-check',
    playbookFile: '/x/health-check.yml',
    inventories: ['/x/inv'],
    limit: undefined,
    extraVars: [],
    tags: [],
    skipTags: [],
    trigger: { kind: 'every', everyMs: 60_000, text: '1m' },
    jitterMs: 0,
    fix: false,
    report: undefined,
    retention: { keepRuns: undefined, keepDays: undefined, minKept: 10 },
    overlap: 'skip',
    missed: 'skip',
    notify: undefined,
    at: { file: '/x/s.yml', line: 2 },
    ...over,
  };
}

interface Harness {
  sched: Scheduler;
  logs: string[];
  starts: { name: string; at: number }[];
  history: MemoryHistory;
  locks: MemoryLocks;
  interrupted: string[];
}

/** Each run takes `runMs` of fake time unless aborted. */
function harness(
  runMs: number,
  opts: { graceMs?: number; owner?: string; locks?: MemoryLocks; history?: MemoryHistory; random?: () => number } = {},
): Harness {
  const logs: string[] = [];
  const starts: { name: string; at: number }[] = [];
  const interrupted: string[] = [];
  const history = opts.history ?? new MemoryHistory();
  const locks = opts.locks ?? new MemoryLocks();
  let runId = 0;
  const sched = new Scheduler({
    owner: opts.owner ?? 'a',
    locks,
    history,
    graceMs: opts.graceMs ?? 10_000,
    leaseMs: 30_000,
    random: opts.random ?? (() => 0),
    log: (l) => logs.push(l),
    runSchedule: (s, signal) =>
      new Promise<RunOutcome>((resolve) => {
        starts.push({ name: s.name, at: Date.now() });
        const id = ++runId;
        const t = setTimeout(() => resolve({ runId: id, status: 'completed', hosts: { ok: 2, failed: 0, unreachable: 0 } }), runMs);
        signal.addEventListener('abort', () => {
          clearTimeout(t);
          interrupted.push(s.name);
          resolve({ runId: id, status: 'interrupted', hosts: { ok: 0, failed: 0, unreachable: 0 } });
        });
      }),
  });
  return { sched, logs, starts, history, locks, interrupted };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => vi.useRealTimers());

/** Stops the scheduler, letting fake time run through any grace period. */
async function finish(...hs: Harness[]): Promise<void> {
  const stopped = Promise.all(hs.map((h) => h.sched.stop('test')));
  await vi.advanceTimersByTimeAsync(60_000);
  await stopped;
}

const rel = (h: Harness) => h.starts.map((s) => (s.at - T0) / 1000);

describe('Scheduler', () => {
  it('fires on the grid, logs one line per event', async () => {
    const h = harness(5_000);
    await h.sched.start([schedule('s', { trigger: { kind: 'every', everyMs: 10_000, text: '10s' } })]);
    await vi.advanceTimersByTimeAsync(35_000);
    expect(rel(h)).toEqual([10, 20, 30]);
    expect(h.logs).toContain('schedule=s fired (due 2027-01-01T00:00:10.000Z)');
    expect(h.logs).toContain('schedule=s run=1 completed ok=2 failed=0 unreachable=0 took=5.0s');
    await finish(h);
  });

  it('jitter delays each fire by up to its value without drifting the grid', async () => {
    const h = harness(1_000, { random: () => 0.5 });
    await h.sched.start([schedule('s', { trigger: { kind: 'every', everyMs: 10_000, text: '10s' }, jitterMs: 4_000 })]);
    await vi.advanceTimersByTimeAsync(35_000);
    expect(rel(h)).toEqual([12, 22, 32]);
    await finish(h);
  });

  it('overlap skip: a run slower than the interval makes the next fires skip, recorded', async () => {
    const h = harness(25_000);
    await h.sched.start([schedule('s', { trigger: { kind: 'every', everyMs: 10_000, text: '10s' } })]);
    await vi.advanceTimersByTimeAsync(41_000);
    expect(rel(h)).toEqual([10, 40]);
    expect(h.history.fires.filter((f) => f.outcome === 'skipped').map((f) => (f.dueAt - T0) / 1000)).toEqual([20, 30]);
    expect(h.logs.filter((l) => l.includes('skipped: the previous run is still going (overlap: skip)'))).toHaveLength(2);
    await finish(h);
  });

  it('overlap queue: one fire waits and runs when the previous run ends; more are skipped', async () => {
    const h = harness(25_000);
    await h.sched.start([schedule('s', { trigger: { kind: 'every', everyMs: 10_000, text: '10s' }, overlap: 'queue' })]);
    await vi.advanceTimersByTimeAsync(36_000);
    // Run 1 at 10 s (until 35 s); the fire due at 20 s waits and starts at 35 s; the one at 30 s is skipped.
    expect(rel(h)).toEqual([10, 35]);
    expect(h.logs.some((l) => /due 2027-01-01T00:00:30.000Z skipped: a fire is already queued/.test(l))).toBe(true);
    await finish(h);
  });

  it('missed fires at start-up: skip records them, run-once runs once now', async () => {
    const history = new MemoryHistory();
    await history.recordFire('skip', T0 - 3_600_000, 'ran', '');
    await history.recordFire('once', T0 - 3_600_000, 'ran', '');
    const h = harness(1_000, { history });
    await h.sched.start([schedule('skip'), schedule('once', { missed: 'run-once' })]);
    await vi.advanceTimersByTimeAsync(500);
    expect(h.starts).toEqual([{ name: 'once', at: T0 }]);
    expect(history.fires.find((f) => f.name === 'skip' && f.outcome === 'missed')).toMatchObject({
      dueAt: T0,
      detail: expect.stringMatching(/^60 fire/),
    });
    expect(h.logs).toContain('schedule=skip missed 60 fire(s) since 2026-12-31T23:01:00.000Z (missed: skip)');
    await finish(h);
  });

  it('two schedulers on one lock table never run a schedule at once', async () => {
    const locks = new MemoryLocks();
    const a = harness(15_000, { owner: 'a', locks });
    const b = harness(15_000, { owner: 'b', locks });
    const s = schedule('s', { trigger: { kind: 'every', everyMs: 10_000, text: '10s' } });
    await a.sched.start([s]);
    await b.sched.start([s]);
    await vi.advanceTimersByTimeAsync(60_000);
    const all = [...a.starts, ...b.starts].map((x) => x.at).sort((x, y) => x - y);
    for (let i = 1; i < all.length; i++) expect(all[i]! - all[i - 1]!).toBeGreaterThanOrEqual(15_000);
    expect([...a.logs, ...b.logs].some((l) => l.includes('skipped: another fleet holds its lock'))).toBe(true);
    await finish(a, b);
  });

  it('stop: no new fires; a run that ends within the grace finishes', async () => {
    const h = harness(5_000, { graceMs: 10_000 });
    await h.sched.start([schedule('s', { trigger: { kind: 'every', everyMs: 10_000, text: '10s' } })]);
    await vi.advanceTimersByTimeAsync(11_000);
    const stopped = h.sched.stop('SIGTERM');
    await vi.advanceTimersByTimeAsync(30_000);
    await stopped;
    expect(h.interrupted).toEqual([]);
    expect(rel(h)).toEqual([10]);
    expect(h.logs.at(-1)).toBe('daemon stopped');
  });

  it('stop: a run longer than the grace is interrupted', async () => {
    const h = harness(120_000, { graceMs: 5_000 });
    await h.sched.start([schedule('s', { trigger: { kind: 'every', everyMs: 10_000, text: '10s' } })]);
    await vi.advanceTimersByTimeAsync(11_000);
    const stopped = h.sched.stop('SIGTERM');
    await vi.advanceTimersByTimeAsync(5_000);
    await stopped;
    expect(h.interrupted).toEqual(['s']);
    expect(h.logs).toContain('schedule=s grace period over: interrupting the run');
    expect(await h.locks.tryAcquire('s', 'other', 1000)).toBe(true);
  });

  it('reload: a broken file keeps the old schedules; a good one replaces them', async () => {
    const h = harness(1_000);
    await h.sched.start([schedule('s', { trigger: { kind: 'every', everyMs: 10_000, text: '10s' } })]);
    expect(
      await h.sched.reloadFrom(async () => {
        throw new Error('/x/s.yml:5: cron 61: bad');
      }),
    ).toBe(false);
    expect(h.logs.at(-1)).toBe('reload refused, keeping the 1 current schedules: /x/s.yml:5: cron 61: bad');
    await vi.advanceTimersByTimeAsync(21_000);
    expect(rel(h)).toEqual([10, 20]);
    await h.sched.reloadFrom(async () => [schedule('t', { trigger: { kind: 'every', everyMs: 7_000, text: '7s' } })]);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(h.starts.filter((s) => s.name === 's')).toHaveLength(2);
    // every: fires on multiples of 7 s since the epoch, the first after the reload at T0 + 21 s.
    const first = Math.ceil((T0 + 21_001) / 7_000) * 7_000;
    expect(h.starts.filter((s) => s.name === 't').map((s) => s.at)).toEqual(
      [first, first + 7_000, first + 14_000].filter((t) => t <= T0 + 41_000),
    );
    await finish(h);
  });

  it('a run that throws is logged and the next fire still happens', async () => {
    const logs: string[] = [];
    let n = 0;
    const sched = new Scheduler({
      owner: 'a',
      locks: new MemoryLocks(),
      history: new MemoryHistory(),
      graceMs: 1000,
      log: (l) => logs.push(l),
      runSchedule: async () => {
        n++;
        throw new Error('inventory vanished');
      },
    });
    await sched.start([schedule('s', { trigger: { kind: 'every', everyMs: 10_000, text: '10s' } })]);
    await vi.advanceTimersByTimeAsync(25_000);
    expect(n).toBe(2);
    expect(logs).toContain('schedule=s run failed: inventory vanished');
    await sched.stop('test');
  });
});
