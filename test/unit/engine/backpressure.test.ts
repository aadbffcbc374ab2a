/**
 * A run must not outpace its slowest observer without bound: while an observer's ready() is pending
 * (a store whose writer is behind), no further host starts.
 */
import { describe, expect, it } from 'vitest';
import type { Host } from '../../../src/core/inventory.js';
import type { ConnectionPool } from '../../../src/engine/connections.js';
import { eventStream } from '../../../src/engine/events.js';
import { runHosts } from '../../../src/engine/run-hosts.js';

const hosts: Host[] = Array.from({ length: 6 }, (_, i) => ({ name: `hv${i}`, groups: ['all'], vars: {} }) as unknown as Host);

describe('runHosts backpressure', () => {
  it('starts no host while an observer is not ready, and all of them once it is', async () => {
    const started: string[] = [];
    let release: () => void = () => undefined;
    let blocked = true;
    const gate = new Promise<void>((r) => (release = r));
    const events = eventStream([
      {
        onHostStart: (h) => started.push(h),
        // Ready for the first two hosts, then behind until released.
        ready: () => (started.length >= 2 && blocked ? gate : undefined),
      },
    ]);
    const run = runHosts(hosts, async () => ({ status: 'ok' }), {
      runId: 1,
      pool: {} as ConnectionPool,
      forks: 3,
      events,
      signal: new AbortController().signal,
      specOf: () => ({}) as never,
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(started).toEqual(['hv0', 'hv1']);
    blocked = false;
    release();
    const outcomes = await run;
    expect(started.sort()).toEqual(hosts.map((h) => h.name));
    expect([...outcomes.values()].every((o) => o.status === 'ok')).toBe(true);
  });
});
