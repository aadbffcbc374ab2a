/** recoverInterrupted(): only runs of this controller whose process is gone become `interrupted` (both backends). */
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isProcessAlive, processStartedAt } from '../../../src/store/liveness.js';
import { BACKENDS } from './backends.js';
import { newRun, step } from './helpers.js';

/** The pid of a process that has exited and been reaped. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', ''], { timeout: 10_000 });
  expect(r.status).toBe(0);
  expect(isProcessAlive(r.pid!)).toBe(false);
  return r.pid!;
}

describe.each(BACKENDS)('recoverInterrupted ($name)', (b) => {
  beforeAll(() => b.setup());
  afterAll(() => b.teardown());

  it('marks dead local runs interrupted and leaves live, foreign and finished runs alone', async () => {
    const store = await b.open();
    const me = hostname();
    const dead = deadPid();
    const deadLocal = await store.startRun(newRun({ controller: me, pid: dead, startedAt: 1000 }));
    const aliveLocal = await store.startRun(newRun({ controller: me, pid: process.pid, startedAt: Date.now() }));
    const deadElsewhere = await store.startRun(newRun({ controller: 'other-controller.example', pid: dead, startedAt: 3000 }));
    const finished = await store.startRun(newRun({ controller: me, pid: dead, startedAt: 4000 }));
    store.finishRun(finished, 'completed', 4100);
    // Last signs of life of the dead run: a step ending at 1500 and a host finishing at 1400.
    store.recordStep(deadLocal, 'hv01', step(1, { startedAt: 1450, durationMs: 50 }));
    store.recordHost(deadLocal, { host: 'hv01', status: 'ok', reason: null, startedAt: 1001, finishedAt: 1400 });
    await store.flush();

    expect(await store.recoverInterrupted()).toEqual([deadLocal]);
    const status = async (id: number) => (await store.getRun(id))?.status;
    expect(await status(deadLocal)).toBe('interrupted');
    expect((await store.getRun(deadLocal))?.finishedAt).toBe(1500);
    expect(await status(aliveLocal)).toBe('running');
    expect(await status(deadElsewhere)).toBe('running');
    expect(await status(finished)).toBe('completed');
    expect(await store.recoverInterrupted()).toEqual([]);
    await store.close();
  });

  it('sees through a reused pid: a live process younger than the run did not record it', async () => {
    const store = await b.open();
    const mine = processStartedAt(process.pid);
    expect(mine, '/proc tells when this process started').toBeDefined();
    expect(Math.abs((mine ?? 0) - (Date.now() - process.uptime() * 1000))).toBeLessThan(2000);
    // A run "recorded by our pid" an hour before this process existed: another process had the pid.
    const reused = await store.startRun(newRun({ controller: hostname(), pid: process.pid, startedAt: (mine ?? 0) - 3_600_000 }));
    const ours = await store.startRun(newRun({ controller: hostname(), pid: process.pid, startedAt: Date.now() }));
    expect(await store.recoverInterrupted()).toEqual([reused]);
    expect((await store.getRun(ours))?.status).toBe('running');
    await store.close();
  });

  it('uses the start time as the end of a run that recorded nothing', async () => {
    const store = await b.open();
    const id = await store.startRun(newRun({ controller: hostname(), pid: deadPid(), startedAt: 777 }));
    expect(await store.recoverInterrupted()).toEqual([id]);
    expect(await store.getRun(id)).toMatchObject({ status: 'interrupted', finishedAt: 777 });
    await store.close();
  });
});
