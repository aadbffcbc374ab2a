import { describe, expect, it } from 'vitest';
import { WriteQueue } from '../../../src/store/write-queue.js';

/** A queue whose writer records the batches it was given (optionally failing some). */
function recorder(opts = { batchSize: 100, maxBatch: 250, delayMs: 10 }, fail?: (batch: number[]) => boolean) {
  const batches: number[][] = [];
  const q = new WriteQueue<number>(async (batch) => {
    await new Promise((r) => setTimeout(r, 1));
    if (fail?.(batch)) throw new Error(`disk full at ${batch[0]}`);
    batches.push([...batch]);
  }, opts);
  return { q, batches };
}

describe('WriteQueue', () => {
  it('never writes inside push(), then drains in batches of at most maxBatch', async () => {
    const { q, batches } = recorder();
    for (let i = 0; i < 1000; i++) q.push(i);
    expect(batches).toEqual([]);
    expect(q.stats().queued).toBe(1000);
    await q.flush();
    expect(batches.map((b) => b.length)).toEqual([250, 250, 250, 250]);
    expect(batches.flat()).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(q.stats()).toMatchObject({ batches: 4, items: 1000, queued: 0, failedItems: 0 });
  });

  it('writes a small queue after delayMs without a flush', async () => {
    const { q, batches } = recorder({ batchSize: 100, maxBatch: 250, delayMs: 20 });
    q.push(1);
    q.push(2);
    await new Promise((r) => setTimeout(r, 5));
    expect(batches).toEqual([]);
    await new Promise((r) => setTimeout(r, 100));
    expect(batches).toEqual([[1, 2]]);
  });

  it('writes at once when batchSize is reached', async () => {
    const { q, batches } = recorder({ batchSize: 3, maxBatch: 10, delayMs: 60_000 });
    q.push(1);
    q.push(2);
    q.push(3);
    await new Promise((r) => setTimeout(r, 30));
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('includes items pushed while a batch is being written', async () => {
    const { q, batches } = recorder({ batchSize: 2, maxBatch: 2, delayMs: 60_000 });
    q.push(1);
    q.push(2);
    await new Promise((r) => setImmediate(r)); // writer started on batch [1,2]
    q.push(3);
    await q.flush();
    expect(batches.flat()).toEqual([1, 2, 3]);
  });

  it('resolves flush() at once when idle', async () => {
    const { q } = recorder();
    await q.flush();
    expect(q.stats().batches).toBe(0);
  });

  it('rejects the next flush() with a write error, once, and keeps writing later batches', async () => {
    const { q, batches } = recorder({ batchSize: 100, maxBatch: 2, delayMs: 10 }, (b) => b[0] === 3);
    for (const i of [1, 2, 3, 4, 5, 6]) q.push(i);
    await expect(q.flush()).rejects.toThrow('disk full at 3');
    expect(batches).toEqual([
      [1, 2],
      [5, 6],
    ]);
    expect(q.stats()).toMatchObject({ batches: 2, items: 4, failedItems: 2 });
    await q.flush();
  });

  it('keeps an error that happened with nobody flushing for the next flush()', async () => {
    const { q } = recorder({ batchSize: 1, maxBatch: 1, delayMs: 10 }, () => true);
    q.push(1);
    await new Promise((r) => setTimeout(r, 50));
    await expect(q.flush()).rejects.toThrow('disk full at 1');
    await q.flush();
  });

  it('below(n): nothing to wait for under n items; otherwise resolves once a batch brought it under n', async () => {
    const { q, batches } = recorder({ batchSize: 100, maxBatch: 250, delayMs: 10 });
    for (let i = 0; i < 99; i++) q.push(i);
    expect(q.below(100)).toBeUndefined();
    for (let i = 99; i < 600; i++) q.push(i);
    const wait = q.below(400);
    expect(wait).toBeInstanceOf(Promise);
    let resolved = false;
    void wait?.then(() => (resolved = true));
    await new Promise((r) => setTimeout(r, 0));
    expect(resolved).toBe(false);
    await wait;
    // 600 queued and at least one batch of 250 written: under 400 left (the writer goes on meanwhile).
    expect(batches.flat().length).toBeGreaterThanOrEqual(250);
    expect(q.stats().queued).toBeLessThan(400);
    await q.flush();
  });

  it('below(n) also resolves when the batch that was written failed (its items are gone)', async () => {
    const { q } = recorder({ batchSize: 10, maxBatch: 10, delayMs: 10 }, () => true);
    for (let i = 0; i < 15; i++) q.push(i);
    await q.below(10);
    expect(q.stats()).toMatchObject({ queued: 5, failedItems: 10 });
    await expect(q.flush()).rejects.toThrow(/disk full/);
  });
});
