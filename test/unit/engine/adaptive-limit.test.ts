import { describe, expect, it } from 'vitest';
import { AdaptiveLimit, type Attempt } from '../../../src/engine/adaptive-limit.js';

/** A limit on a fake clock: `at(ms)` moves time, `handshake(ms)` runs one that takes ms. */
function setup(max: number, initial?: number) {
  let now = 0;
  const limit = new AdaptiveLimit({ max, now: () => now, ...(initial !== undefined ? { initial } : {}) });
  return {
    limit,
    at: (ms: number) => (now = ms),
    /** One handshake taking `ms`, completing with `demand` (hosts waiting). */
    handshake(ms: number, demand = true) {
      const a = limit.start();
      now += ms;
      limit.succeeded(a, demand);
    },
    /** Starts n handshakes now (a round). */
    round: (n: number): Attempt[] => Array.from({ length: n }, () => limit.start()),
    advance: (ms: number) => (now += ms),
  };
}

describe('adaptive handshake window', () => {
  it('starts at min(forks, 10) and, while handshakes stay at their baseline, grows to --forks and no further', () => {
    expect(setup(4).limit.limit).toBe(4);
    const t = setup(50);
    expect(t.limit.limit).toBe(10);
    for (let i = 0; i < 100; i++) t.handshake(200);
    expect(t.limit.limit).toBe(50);
    expect(t.limit.peak).toBe(50);
    expect(t.limit.cuts).toBe(0);
    // Growth is recorded coalesced (each time it passed 1.25x the last value), ending at --forks.
    expect(t.limit.changes.map((c) => c.window)).toEqual([13, 17, 22, 28, 35, 44, 50]);
    expect(t.limit.changes.every((c) => c.reason === 'grow')).toBe(true);
  });

  it('does not grow a window nobody is waiting for', () => {
    const t = setup(200);
    for (let i = 0; i < 20; i++) t.handshake(100, false);
    expect(t.limit.limit).toBe(10);
  });

  it('halves when recent handshakes take over 3x the fastest, once per round, then grows by about one per round', () => {
    const t = setup(200, 40);
    t.handshake(100); // baseline 100 ms; window 41
    const round = t.round(20);
    t.advance(400); // all slowed to 4x the baseline: CPU shared by too many handshakes
    for (const a of round) t.limit.succeeded(a, true);
    // As soon as the median of the last few crossed 3x: one cut, 41 -> 20; the rest of that
    // round began before the cut and cannot cut again.
    expect(t.limit.limit).toBe(20);
    expect(t.limit.cuts).toBe(1);
    expect(t.limit.changes.at(-1)).toMatchObject({ window: 20, reason: 'latency' });
    // Back near the baseline: additive increase, +1 per window's worth of handshakes.
    for (let i = 0; i < 20; i++) t.handshake(110);
    expect(t.limit.limit).toBe(20);
    for (let i = 0; i < 2; i++) t.handshake(110);
    expect(t.limit.limit).toBe(21);
  });

  it('one lucky fast handshake does not make the others look slow (baseline = lowest median of a few)', () => {
    const t = setup(200);
    t.handshake(100);
    t.handshake(100);
    t.handshake(10); // a noise outlier on a shared machine
    for (let i = 0; i < 10; i++) t.handshake(100);
    expect(t.limit.cuts).toBe(0);
    expect(t.limit.baselineMs).toBe(100);
    expect(t.limit.limit).toBe(23);
  });

  it('holds (neither grows nor cuts) between 1.5x and 3x the baseline', () => {
    const t = setup(200);
    t.handshake(100);
    for (let i = 0; i < 10; i++) t.handshake(250);
    expect(t.limit.limit).toBe(11);
    expect(t.limit.cuts).toBe(0);
  });

  it('a handshake that answered TCP and timed out with others in flight is overload: one cut, the round retried', () => {
    const t = setup(100, 30);
    t.handshake(100);
    const round = t.round(10);
    t.advance(10_000); // processor sharing: nothing of the round finished, all miss the deadline together
    expect(t.limit.timedOut(round[0]!, true)).toBe(true);
    expect(t.limit.cuts).toBe(1);
    expect(t.limit.changes.at(-1)).toMatchObject({ window: 15, reason: 'timeout' });
    // The others of that round ran through the cut: overload too, but no second cut for them.
    for (const a of round.slice(1)) expect(t.limit.timedOut(a, true)).toBe(true);
    expect(t.limit.limit).toBe(15);
    expect(t.limit.cuts).toBe(1);
    expect(t.limit.inFlight).toBe(0);
    // Begun after the cut, and still timing out: cut again.
    const next = t.round(2);
    t.advance(10_000);
    expect(t.limit.timedOut(next[0]!, true)).toBe(true);
    expect(t.limit.limit).toBe(7);
  });

  it('a host that never answered TCP (down, filtered) neither cuts nor is retried, even amid overload', () => {
    const t = setup(100, 30);
    t.handshake(100);
    const round = t.round(10);
    t.advance(10_000);
    expect(round.map((a) => t.limit.timedOut(a, false))).toEqual(Array(10).fill(false));
    expect(t.limit.limit).toBe(31);
    expect(t.limit.cuts).toBe(0);
  });

  it('a handshake alone in flight that times out is the host being slow, not load', () => {
    const t = setup(100);
    const a = t.limit.start();
    t.advance(10_000);
    expect(t.limit.timedOut(a, true)).toBe(false);
    expect(t.limit.cuts).toBe(0);
  });

  it('latency past half the connect timeout cuts, whatever the baseline', () => {
    let now = 0;
    const limit = new AdaptiveLimit({ max: 100, initial: 20, timeoutMs: 2000, now: () => now });
    const round = Array.from({ length: 3 }, () => limit.start());
    now = 1100;
    for (const a of round) limit.succeeded(a, true);
    expect(limit.cuts).toBe(1);
    expect(limit.limit).toBe(10);
  });

  it('with a connect timeout, handshakes under a tenth of it never cut, however many times the baseline', () => {
    let now = 0;
    const limit = new AdaptiveLimit({ max: 100, initial: 20, timeoutMs: 10_000, now: () => now });
    const hs = (ms: number) => {
      const a = limit.start();
      now += ms;
      limit.succeeded(a, true);
    };
    for (let i = 0; i < 5; i++) hs(10); // loopback: 10 ms
    for (let i = 0; i < 10; i++) hs(200); // 20x the baseline, still far from 10 s
    expect(limit.cuts).toBe(0);
    for (let i = 0; i < 3; i++) hs(1500); // past a tenth of the timeout and 3x the baseline
    expect(limit.cuts).toBe(1);
  });

  it('other failures (refused, auth) neither grow nor cut', () => {
    const t = setup(100);
    t.handshake(100);
    const a = t.limit.start();
    t.limit.failed(a);
    expect(t.limit.limit).toBe(11);
    expect(t.limit.inFlight).toBe(0);
  });

  it('never goes below one', () => {
    const t = setup(100, 2);
    t.handshake(10);
    for (let i = 0; i < 5; i++) t.handshake(1000);
    expect(t.limit.limit).toBe(1);
    expect(t.limit.hasRoom).toBe(true);
  });
});
