/**
 * Measures the writer with realistic volumes and prints the numbers (run this file alone to read them):
 *   npx vitest run test/integration/store/throughput.test.ts
 * Bounds asserted here are generous (a shared 2-core machine); the printed numbers are the result.
 * Wall time swings with whatever else runs on the machine, so the "under a second" bound is asserted on
 * the CPU time this process spent (JS thread + SQLite's libuv worker threads) while the writer ran;
 * with PostgreSQL the server's CPU is another process's and not counted there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckStatus } from '../../../src/core/check.js';
import type { StepResult } from '../../../src/core/result.js';
import { BACKENDS } from './backends.js';
import { newRun } from './helpers.js';

/** Deterministic pseudo-random numbers (same data every run). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

const LINE = '3: vmbr0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000\n';

/** Step output sizes seen on hypervisors: mostly a few hundred bytes, some stderr, rare huge dumps. */
function realisticStep(i: number, rand: () => number): StepResult {
  const r = rand();
  const stdoutLen = r < 0.005 ? 100_000 : 200 + Math.floor(rand() * 1000);
  const failed = rand() < 0.05;
  return {
    stepId: `${1 + (i % 3)}.${i % 30}`,
    name: `check bridge ports ${i % 30}`,
    status: failed ? 'failed' : rand() < 0.1 ? 'changed' : 'ok',
    changed: false,
    rc: failed ? 1 : 0,
    stdout: LINE.repeat(Math.ceil(stdoutLen / LINE.length)).slice(0, stdoutLen),
    stderr: rand() < 0.1 ? 'RTNETLINK answers: Operation not permitted\n'.repeat(3) : '',
    startedAt: 1_700_000_000_000 + i * 10,
    durationMs: Math.floor(rand() * 400),
    ...(failed ? { message: 'exit status 1: bridge vmbr0 has no uplink' } : {}),
  };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** CPU ms (user + system, all threads of this process) since `since`. */
const cpuMs = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};

describe.each(BACKENDS)('store throughput ($name)', (b) => {
  beforeAll(() => b.setup());
  afterAll(() => b.teardown());

  it('records 100,000 realistic steps with a few large transactions', async () => {
    const file = await b.newTarget();
    const store = await b.open({}, file);
    const id = await store.startRun(newRun());
    const rand = rng(1);
    const steps = Array.from({ length: 100_000 }, (_, i) => realisticStep(i, rand));
    const inputBytes = steps.reduce((n, s) => n + s.stdout.length + s.stderr.length, 0);

    const t0 = performance.now();
    for (let i = 0; i < steps.length; i++) store.recordStep(id, `hv${String(i % 1000).padStart(4, '0')}`, steps[i]!);
    const enqueueMs = performance.now() - t0;
    const cpu0 = process.cpuUsage();
    await store.flush();
    const flushCpu = cpuMs(cpu0);
    const totalMs = performance.now() - t0;
    const stats = store.stats();
    const stored = (await store.getSteps(id, 'hv0007')).length;
    await store.close();
    const dbMiB = (await b.storedBytes(file)) / 2 ** 20;

    console.log(
      `[store bench ${b.name}] 100,000 steps (${(inputBytes / 2 ** 20).toFixed(1)} MiB of output, 0.5% over the 64 KiB cap): ` +
        `enqueue ${enqueueMs.toFixed(0)} ms (${((enqueueMs * 1000) / steps.length).toFixed(2)} µs/record on the hot path), ` +
        `enqueue→durable ${totalMs.toFixed(0)} ms = ${fmt(steps.length / (totalMs / 1000))} steps/s, ` +
        `writer ${stats.writerMs.toFixed(0)} ms wall / ${flushCpu.toFixed(0)} ms CPU in ${stats.batches} transactions, ` +
        `db ${dbMiB.toFixed(1)} MiB`,
    );
    expect(stats.items).toBe(100_000);
    expect(stored).toBe(100);
    expect(stats.batches).toBeLessThanOrEqual(12);
    expect(enqueueMs).toBeLessThan(1000);
    expect(totalMs).toBeLessThan(60_000);
  }, 120_000);

  it('records 1,000 hosts × 30 checks in well under a second of writer time', async () => {
    const store = await b.open();
    const id = await store.startRun(newRun());
    const rand = rng(2);
    const statuses: CheckStatus[] = ['pass', 'pass', 'pass', 'pass', 'warn', 'fail'];
    const t0 = performance.now();
    for (let h = 0; h < 1000; h++) {
      const host = `hv${String(h).padStart(4, '0')}`;
      store.recordHost(id, { host, status: 'ok', reason: null, startedAt: 1, finishedAt: 2 });
      for (let c = 0; c < 30; c++) {
        const status = statuses[Math.floor(rand() * statuses.length)]!;
        store.recordCheck(id, host, {
          id: `bridge.check-${c}`,
          status,
          severity: 'high',
          message: `vmbr0: port tap${c} ${status === 'pass' ? 'is attached and forwarding' : 'is not forwarding (state blocking)'}`,
          evidence: { bridge: 'vmbr0', port: `tap${c}`, state: status === 'pass' ? 'forwarding' : 'blocking', mtu: 1500 },
          ...(status === 'fail' ? { fix: `ip link set tap${c} master vmbr0`, fixId: 'attach-port' } : {}),
        });
      }
    }
    const enqueueMs = performance.now() - t0;
    const cpu0 = process.cpuUsage();
    await store.flush();
    const flushCpu = cpuMs(cpu0);
    const totalMs = performance.now() - t0;
    const stats = store.stats();
    expect((await store.getChecks(id)).length).toBe(30_000);
    expect(Object.values((await store.getRun(id))!.hostCounts)).toEqual([1000]);
    await store.close();

    console.log(
      `[store bench ${b.name}] 1,000 hosts × 30 checks: enqueue ${enqueueMs.toFixed(0)} ms, writer ${stats.writerMs.toFixed(0)} ms wall / ` +
        `${flushCpu.toFixed(0)} ms CPU in ${stats.batches} transactions, enqueue→durable ${totalMs.toFixed(0)} ms`,
    );
    expect(flushCpu).toBeLessThan(1000);
  }, 60_000);

  it('for contrast: one transaction per event (the ARA pattern)', async () => {
    const store = await b.open({ batchSize: 1, maxBatch: 1 });
    const id = await store.startRun(newRun());
    const rand = rng(3);
    const t0 = performance.now();
    for (let i = 0; i < 2000; i++) store.recordStep(id, 'hv0001', realisticStep(i, rand));
    await store.flush();
    const perEventMs = performance.now() - t0;
    const perEvent = store.stats();
    await store.close();
    console.log(
      `[store bench ${b.name}] per-event transactions: 2,000 steps in ${perEventMs.toFixed(0)} ms = ` +
        `${fmt(2000 / (perEventMs / 1000))} steps/s (${perEvent.batches} transactions)`,
    );
    expect(perEvent.batches).toBe(2000);
  }, 60_000);
});
