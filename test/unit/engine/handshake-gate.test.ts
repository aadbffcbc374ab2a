import { describe, expect, it } from 'vitest';
import { UnreachableError } from '../../../src/core/errors.js';
import { HandshakeGate } from '../../../src/engine/handshake-gate.js';

/** A dial the test settles by hand; `now` is a fake clock. */
function harness(forks: number, initialWindow: number) {
  let now = 0;
  const gate = new HandshakeGate({ forks, initialWindow, now: () => now });
  const pending: { host: string; ok: () => void; fail: (kind: 'timeout' | 'refused', tcpConnected: boolean) => void }[] = [];
  let attempts = new Map<string, number>();
  const dial = (host: string) =>
    gate.dial(
      host,
      () =>
        new Promise<string>((resolve, reject) => {
          attempts.set(host, (attempts.get(host) ?? 0) + 1);
          pending.push({
            host,
            ok: () => resolve(`conn-${host}`),
            fail: (kind, tcpConnected) =>
              reject(
                new UnreachableError(
                  host,
                  kind,
                  `${host}: ${kind === 'timeout' ? 'timed out during connect or SSH handshake' : 'connection refused'}`,
                  {
                    tcpConnected,
                  },
                ),
              ),
          });
        }),
    );
  const take = (host: string) => {
    const i = pending.findIndex((p) => p.host === host);
    if (i < 0) throw new Error(`${host} is not dialling`);
    return pending.splice(i, 1)[0]!;
  };
  const flush = () => new Promise((r) => setImmediate(r));
  return {
    gate,
    dial,
    flush,
    /** Settles a dial and lets the gate see it before time moves on. */
    ok: async (host: string) => {
      take(host).ok();
      await flush();
    },
    fail: async (host: string, kind: 'timeout' | 'refused', tcpConnected = true) => {
      take(host).fail(kind, tcpConnected);
      await flush();
    },
    inFlight: () => pending.map((p) => p.host),
    attempts: () => attempts,
    advance: (ms: number) => (now += ms),
    reset: () => (attempts = new Map()),
  };
}

describe('handshake gate', () => {
  it('lets at most the window dial at once; the others wait their turn and are told how long', async () => {
    const h = harness(50, 3);
    const results = ['a', 'b', 'c', 'd', 'e'].map((x) => h.dial(x));
    await h.flush();
    expect(h.inFlight()).toEqual(['a', 'b', 'c']);
    h.advance(100);
    await h.ok('a');
    await h.flush();
    expect(h.inFlight()).toContain('d');
    expect(await results[0]).toBe('conn-a');
    expect(h.gate.takeWaitMs('a')).toBe(0);
    expect(h.gate.takeWaitMs('d')).toBe(100);
    expect(h.gate.takeWaitMs('d')).toBe(0); // asked once
  });

  it('retries a host whose handshake timed out from overload, and it ends connected', async () => {
    const h = harness(50, 4);
    const d = ['a', 'b', 'c', 'd', 'e', 'f'].map((x) => h.dial(x));
    await h.flush();
    h.advance(100);
    await h.ok('a'); // baseline 100 ms; window 5: e starts
    h.advance(400);
    await h.ok('b'); // 500 ms: median 300, not yet over 3x; f starts
    h.advance(100);
    await h.ok('c'); // median 500 > 3x the baseline: window cut 5 -> 2
    expect(h.inFlight()).toEqual(['d', 'e', 'f']);
    h.advance(9000);
    await h.fail('d', 'timeout'); // was in flight through the cut: overload, so retried...
    expect(h.inFlight()).toEqual(['e', 'f']); // ...once the cut window has room, ahead of anyone else
    await h.ok('e');
    expect(h.inFlight()).toEqual(['f', 'd']);
    h.advance(120);
    await h.ok('d');
    await h.ok('f');
    expect(await Promise.all(d)).toEqual(['a', 'b', 'c', 'd', 'e', 'f'].map((x) => `conn-${x}`));
    expect(h.attempts().get('d')).toBe(2);
    const r = h.gate.report();
    expect(r).toMatchObject({ mode: 'adaptive', forks: 50, initialWindow: 4, peakWindow: 5, finalWindow: 2, cuts: 1, baselineMs: 100 });
    expect(r).toMatchObject({ handshakes: 7, timeouts: 1, retriedHosts: 1, retries: 1, recoveredHosts: 1 });
  });

  it('never retries a refused host, nor one that never answered TCP', async () => {
    const h = harness(50, 4);
    const d = ['dead', 'refused', 'a', 'b'].map((x) => h.dial(x).catch((e: Error) => e));
    await h.flush();
    h.advance(100);
    await h.ok('a');
    await h.ok('b');
    await h.fail('refused', 'refused');
    h.advance(10_000);
    await h.fail('dead', 'timeout', false);
    const [dead, refused] = await Promise.all(d);
    expect((refused as Error).message).toBe('refused: connection refused');
    expect((dead as Error).message).toBe('dead: timed out during connect or SSH handshake');
    expect(h.attempts().get('refused')).toBe(1);
    expect(h.attempts().get('dead')).toBe(1);
    expect(h.gate.report()).toMatchObject({ cuts: 0, retriedHosts: 0, timeouts: 1 });
  });

  it('does not charge a host for a timeout after a cut it ran through; gives up when it times out alone, and says so', async () => {
    const h = harness(50, 8);
    const d = ['a', 'b', 'c', 'x', 'y'].map((x) => h.dial(x).catch((e: Error) => e)); // y: still dialling throughout
    await h.flush();
    h.advance(100);
    await h.ok('a');
    h.advance(500);
    await h.ok('b'); // median 350 > 3 x 100: cut while x is in flight
    await h.ok('c');
    // 1st timeout: x began under the window that was cut, so it is retried free of charge. The 2nd
    // and 3rd began under the cut window and cut it themselves (8 -> 4 -> 2 -> 1): charged.
    for (let i = 0; i < 3; i++) {
      await h.flush();
      h.advance(10_000);
      await h.fail('x', 'timeout');
    }
    expect(h.inFlight()).toEqual(['y']); // window 1: x waits for y
    await h.ok('y');
    await h.flush();
    h.advance(10_000);
    await h.fail('x', 'timeout'); // alone and still too slow: no more retries
    const err = (await d[3]) as UnreachableError;
    expect(err).toBeInstanceOf(UnreachableError);
    expect(err.kind).toBe('timeout');
    expect(err.message).toBe('x: timed out during connect or SSH handshake (after 3 retries: fleet had backed off its concurrency)');
    expect(h.attempts().get('x')).toBe(4);
    expect(h.gate.report()).toMatchObject({ retriedHosts: 1, retries: 3, recoveredHosts: 0, timeouts: 4, cuts: 3 });
  });

  it('an interrupted run does not dial the hosts still waiting for a slot', async () => {
    const h = harness(50, 2);
    const d = ['a', 'b', 'c', 'd'].map((x) => h.dial(x).catch((e: Error) => e));
    await h.flush();
    h.gate.abortWaiting();
    await h.ok('a');
    await h.ok('b');
    const [a, , c, dd] = await Promise.all(d);
    expect(a).toBe('conn-a');
    expect((c as UnreachableError).kind).toBe('closed');
    expect((dd as Error).message).toBe('interrupted before connecting');
    expect([...h.attempts().keys()]).toEqual(['a', 'b']);
  });
});
