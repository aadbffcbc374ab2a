/** Schedule locks and fire history in the database (both backends): one holder per schedule across processes. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScheduleHistory, ScheduleLocks } from '../../../src/daemon/types.js';
import { isProcessAlive } from '../../../src/store/liveness.js';
import { ScheduleStore } from '../../../src/store/schedule-store.js';
import { BACKENDS } from './backends.js';
import { newRun } from './helpers.js';

const ME = `${hostname()}:${process.pid}:${Date.now()}`;
/** Owners on other machines: their pids mean nothing here, only their leases count. */
const ELSEWHERE_A = 'ctl-a.example:101:1700000000000';
const ELSEWHERE_B = 'ctl-b.example:202:1700000000000';
const HOUR = 3_600_000;

describe.each(BACKENDS)('schedule locks and history ($name)', (b) => {
  beforeAll(() => b.setup());
  afterAll(() => b.teardown());

  it('takes, heartbeats and releases; a held lock refuses others, and only its owner can extend or release it', async () => {
    const target = await b.newTarget();
    const store = await b.open({}, target);
    const locks: ScheduleLocks = store.scheduleStore();
    expect(await locks.tryAcquire('nightly', ME, HOUR)).toBe(true);
    expect(await locks.tryAcquire('nightly', ELSEWHERE_A, HOUR)).toBe(false);
    expect(await locks.tryAcquire('hourly', ELSEWHERE_A, HOUR)).toBe(true); // locks are per schedule
    expect(await locks.heartbeat('nightly', ME, HOUR)).toBe(true);
    expect(await locks.heartbeat('nightly', ELSEWHERE_A, HOUR)).toBe(false);
    await locks.release('nightly', ELSEWHERE_A); // not theirs: nothing happens
    expect(await locks.tryAcquire('nightly', ELSEWHERE_B, HOUR)).toBe(false);

    const raw = await b.raw(target);
    expect(await raw.get('SELECT owner, hostname, pid FROM schedule_locks WHERE name = ?', ['nightly'])).toEqual({
      owner: ME,
      hostname: hostname(),
      pid: process.pid,
    });
    await raw.close();

    await locks.release('nightly', ME);
    expect(await locks.heartbeat('nightly', ME, HOUR)).toBe(false);
    expect(await locks.tryAcquire('nightly', ELSEWHERE_B, HOUR)).toBe(true);
    await store.close();
  });

  it('of two owners contending on separate connections, exactly one wins each lock', async () => {
    const target = await b.newTarget();
    const [s1, s2] = [await b.open({}, target), await b.open({}, target)];
    const [l1, l2] = [s1!.scheduleStore(), s2!.scheduleStore()];
    const names = Array.from({ length: 25 }, (_, i) => `contended-${i}`);
    const results = await Promise.all(
      names.map(async (n) => {
        const [a, c] = await Promise.all([l1.tryAcquire(n, ELSEWHERE_A, HOUR), l2.tryAcquire(n, ELSEWHERE_B, HOUR)]);
        return [a, c];
      }),
    );
    for (const [a, c] of results) expect(a !== c, 'exactly one of the two got the lock').toBe(true);
    // And the loser's view agrees with the winner's row.
    for (const [i, n] of names.entries()) {
      const winner = results[i]![0] ? l1 : l2;
      const owner = results[i]![0] ? ELSEWHERE_A : ELSEWHERE_B;
      expect(await winner.heartbeat(n, owner, HOUR)).toBe(true);
    }
    await s1!.close();
    await s2!.close();
  });

  it('takes over a lock whose lease ran out; the old holder then learns it lost it', async () => {
    const target = await b.newTarget();
    await (await b.open({}, target)).close(); // creates the schema
    const raw = await b.raw(target);
    // A clock of our own: a real 20 ms lease can run out between two calls on a busy machine.
    let now = 1_700_000_000_000;
    const locks = new ScheduleStore(raw, undefined, { now: () => now });
    expect(await locks.tryAcquire('stale', ELSEWHERE_A, 1_000)).toBe(true);
    now += 1_000;
    expect(await locks.tryAcquire('stale', ELSEWHERE_B, HOUR), 'lease ends at now: still held').toBe(false);
    now += 1;
    expect(await locks.tryAcquire('stale', ELSEWHERE_B, HOUR)).toBe(true);
    expect(await locks.heartbeat('stale', ELSEWHERE_A, HOUR)).toBe(false);
    await locks.release('stale', ELSEWHERE_A); // the old holder's release leaves the new holder's row
    expect(await locks.heartbeat('stale', ELSEWHERE_B, HOUR)).toBe(true);
    expect(await raw.get('SELECT owner, acquired_at, lease_until FROM schedule_locks')).toEqual({
      owner: ELSEWHERE_B,
      acquired_at: now,
      lease_until: now + HOUR,
    });
    await raw.close();
  });

  it('takes over at once a lock held by a dead process of this machine, never one of another machine', async () => {
    const store = await b.open();
    const locks = store.scheduleStore();
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    await once(child, 'spawn');
    const pid = child.pid!;
    const holder = `${hostname()}:${pid}:${Date.now()}`;
    const remoteSamePid = `ctl-far.example:${pid}:${Date.now()}`;
    expect(await locks.tryAcquire('local', holder, HOUR)).toBe(true);
    expect(await locks.tryAcquire('remote', remoteSamePid, HOUR)).toBe(true);
    expect(await locks.tryAcquire('local', ME, HOUR), 'holder alive: refused').toBe(false);

    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(isProcessAlive(pid)).toBe(false);
    expect(await locks.tryAcquire('local', ME, HOUR), 'holder dead, lease an hour off: taken').toBe(true);
    expect(await locks.heartbeat('local', holder, HOUR)).toBe(false);
    expect(await locks.tryAcquire('remote', ME, HOUR), 'same pid on another machine proves nothing').toBe(false);
    await store.close();
  });

  it('records fires and answers when the last one was due', async () => {
    const target = await b.newTarget();
    const store = await b.open({}, target);
    const history: ScheduleHistory = store.scheduleStore();
    expect(await history.lastFire('nightly')).toBeUndefined();
    await history.recordFire('nightly', 1_000, 'ran', '');
    await history.recordFire('nightly', 3_000, 'missed', '2 fire(s) since 1970-01-01T00:00:02.000Z');
    await history.recordFire('nightly', 2_000, 'skipped', 'another fleet holds the lock');
    await history.recordFire('hourly', 9_000, 'ran', '');
    expect(await history.lastFire('nightly')).toBe(3_000);
    expect(await history.lastFire('hourly')).toBe(9_000);
    await expect(history.recordFire('nightly', 4_000, 'exploded' as 'ran', '')).rejects.toThrow(/fire outcome must be one of/);

    const sched = store.scheduleStore();
    const run = await store.startRun(newRun({ startedAt: 1_001 }));
    await sched.linkRun(run, 'nightly', 1_000);
    const raw = await b.raw(target);
    expect(await raw.all('SELECT due_at, outcome, run_id FROM schedule_fires WHERE schedule = ? ORDER BY due_at', ['nightly'])).toEqual([
      { due_at: 1_000, outcome: 'ran', run_id: run },
      { due_at: 2_000, outcome: 'skipped', run_id: null },
      { due_at: 3_000, outcome: 'missed', run_id: null },
    ]);
    await raw.close();
    await store.close();
  });

  it('links runs to schedules: the last run, and the previous finished one', async () => {
    const store = await b.open();
    const sched = store.scheduleStore();
    expect(await sched.lastRunOf('nightly')).toBeUndefined();
    const ids: number[] = [];
    for (const [i, status] of (['completed', 'failed', 'interrupted', 'completed'] as const).entries()) {
      const id = await store.startRun(newRun({ startedAt: 1000 * (i + 1) }));
      store.finishRun(id, status, 1000 * (i + 1) + 500);
      await sched.linkRun(id, 'nightly');
      ids.push(id);
    }
    const other = await store.startRun(newRun({ startedAt: 4_500 }));
    await sched.linkRun(other, 'hourly');
    const running = await store.startRun(newRun({ startedAt: 5_000 }));
    await sched.linkRun(running, 'nightly');
    await sched.linkRun(running, 'hourly'); // a second link changes nothing
    await store.flush();

    expect(await sched.lastRunOf('nightly')).toEqual({ id: running, status: 'running', startedAt: 5_000, finishedAt: undefined });
    expect(await sched.lastRunOf('hourly')).toEqual({ id: other, status: 'running', startedAt: 4_500, finishedAt: undefined });
    expect(await sched.previousRunId('nightly', running)).toBe(ids[3]);
    expect(await sched.previousRunId('nightly', ids[3]!), 'the interrupted run is skipped').toBe(ids[1]);
    expect(await sched.previousRunId('nightly', ids[0]!)).toBeUndefined();
    expect(await sched.previousRunId('hourly', other)).toBeUndefined();
    await store.close();
  });
});
