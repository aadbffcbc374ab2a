/** The notification outbox and alert records in the database (both backends). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Outbox } from '../../../src/notify/outbox.js';
import { HOST_KEY, type AlertState } from '../../../src/schedule/alerts.js';
import { alertKey } from '../../../src/store/schedule-types.js';
import { BACKENDS } from './backends.js';

const LEASE = 60_000;
const channel = (index: number) => ({ schedule: 'nightly', index, fingerprint: `fp${index}` });

describe.each(BACKENDS)('outbox and alert state ($name)', (b) => {
  beforeAll(() => b.setup());
  afterAll(() => b.teardown());

  it('enqueues, claims due items under a lease, and marks them sent or failed', async () => {
    const store = await b.open();
    const sched = store.scheduleStore();
    const outbox: Outbox = sched;
    await outbox.enqueue(
      [0, 1, 2].map((i) => ({ channel: channel(i), payload: `{"n":${i}}` })),
      1_000,
    );
    await outbox.enqueue([], 1_000);
    expect(await outbox.claim(999, 10, LEASE), 'not due yet').toEqual([]);

    const first = await outbox.claim(1_000, 2, LEASE);
    expect(first.map((i) => [i.channel, i.payload, i.state, i.attempts, i.nextTryAt, i.lastError, i.createdAt])).toEqual([
      [channel(0), '{"n":0}', 'pending', 0, 1_000 + LEASE, undefined, 1_000],
      [channel(1), '{"n":1}', 'pending', 0, 1_000 + LEASE, undefined, 1_000],
    ]);
    const rest = await outbox.claim(1_000, 10, LEASE);
    expect(
      rest.map((i) => i.payload),
      'claimed items are not claimed again',
    ).toEqual(['{"n":2}']);
    expect(await outbox.claim(1_000 + LEASE - 1, 10, LEASE), 'until their lease passes').toEqual([]);
    const again = await outbox.claim(1_000 + LEASE, 10, LEASE);
    expect(
      again.map((i) => i.payload),
      'a dead sender’s claims come back',
    ).toEqual(['{"n":0}', '{"n":1}', '{"n":2}']);

    const [a, c, d] = again.map((i) => i.id);
    await outbox.markSent(a!, 1, 70_000);
    await outbox.markFailed(c!, 1, 'HTTP 503', 80_000);
    await outbox.markFailed(d!, 3, 'exit 1', undefined);
    expect((await sched.outboxItems()).map((i) => [i.state, i.attempts, i.nextTryAt, i.lastError])).toEqual([
      ['sent', 1, 1_000 + 2 * LEASE, undefined],
      ['pending', 1, 80_000, 'HTTP 503'],
      ['failed', 3, 1_000 + 2 * LEASE, 'exit 1'],
    ]);
    expect(
      (await outbox.claim(200_000, 10, LEASE)).map((i) => i.id),
      'only the one to retry',
    ).toEqual([c]);
    await store.close();
  });

  it('never gives one item to two concurrent claimers on separate connections', async () => {
    const target = await b.newTarget();
    const [s1, s2] = [await b.open({}, target), await b.open({}, target)];
    const [o1, o2] = [s1!.scheduleStore(), s2!.scheduleStore()];
    const N = 200;
    await o1.enqueue(
      Array.from({ length: N }, (_, i) => ({ channel: channel(i % 3), payload: `{"i":${i}}` })),
      5_000,
    );
    const got: number[][] = [[], []];
    const drain = async (o: Outbox, into: number[]) => {
      for (;;) {
        const items = await o.claim(5_000, 7, LEASE);
        if (items.length === 0) return;
        into.push(...items.map((i) => i.id));
      }
    };
    await Promise.all([drain(o1, got[0]!), drain(o2, got[1]!), drain(o1, got[0]!), drain(o2, got[1]!)]);
    const all = [...got[0]!, ...got[1]!];
    expect(new Set(all).size, 'no item twice').toBe(all.length);
    expect(all.length, 'every item once').toBe(N);
    // PostgreSQL claims really overlap (SKIP LOCKED); SQLite's busy handler may let one connection
    // take every turn, which is fine: correctness is the two checks above.
    if (b.name === 'postgres') expect(got[0]!.length > 0 && got[1]!.length > 0, 'both claimers took part').toBe(true);
    await s1!.close();
    await s2!.close();
  });

  it('round-trips alert records per schedule, replacing the whole set on save', async () => {
    const store = await b.open();
    const sched = store.scheduleStore();
    expect(await sched.loadAlertState('nightly')).toEqual(new Map());
    const states = new Map<string, AlertState>([
      [alertKey('hv01', HOST_KEY), { streak: 3, open: true, notifiedAt: 1_700_000_000_000 }],
      [alertKey('hv01', 'bridge.uplink-enslaved'), { streak: 1, open: false, notifiedAt: undefined }],
      [alertKey('hv02', 'sysctl.ip-forward'), { streak: 5, open: true, notifiedAt: 42 }],
    ]);
    await sched.saveAlertState('nightly', states);
    await sched.saveAlertState('hourly', new Map([[alertKey('hv09', 'x'), { streak: 1, open: false, notifiedAt: undefined }]]));
    expect(await sched.loadAlertState('nightly')).toEqual(states);

    states.delete(alertKey('hv01', HOST_KEY)); // recovered: advanceRun dropped it
    await sched.saveAlertState('nightly', states);
    expect(await sched.loadAlertState('nightly')).toEqual(states);
    expect((await sched.loadAlertState('hourly')).size, 'other schedules untouched').toBe(1);

    // A malformed key fails the save before anything is written.
    await expect(
      sched.saveAlertState('nightly', new Map([['no-separator', { streak: 1, open: false, notifiedAt: undefined }]])),
    ).rejects.toThrow(/not "host\\0check"/);
    expect(await sched.loadAlertState('nightly')).toEqual(states);
    await store.close();
  });
});
