/** ConnectionPool: one connection per host; reconnect dials anew without waiting for the old one to close. */
import { describe, expect, it } from 'vitest';
import type { ConnectionSpec } from '../../../src/core/inventory.js';
import { ConnectionPool } from '../../../src/engine/connections.js';
import type { Connection, Transport } from '../../../src/transport/types.js';

const spec: ConnectionSpec = {
  name: 'hv1',
  connection: 'ssh',
  address: '198.18.0.2',
  port: 22,
  user: undefined,
  privateKeyFile: undefined,
  proxyJump: undefined,
  become: false,
  becomeUser: undefined,
  becomePassword: undefined,
};

/** A transport whose connections close only when the test says so (a dead peer's close hangs). */
function fakeTransport() {
  const made: { id: number; closed: boolean; finishClose: () => void }[] = [];
  const transport: Transport = {
    async connect() {
      const rec = { id: made.length + 1, closed: false, finishClose: () => undefined };
      made.push(rec);
      const conn: Connection & { id: number } = {
        id: rec.id,
        host: 'hv1',
        exec: async () => ({ rc: 0, stdout: '', stderr: '', timedOut: false, durationMs: 0 }) as never,
        close: () =>
          new Promise<void>(
            (resolve) =>
              (rec.finishClose = () => {
                rec.closed = true;
                resolve();
              }),
          ),
      };
      return conn;
    },
    close: async () => undefined,
  };
  return { transport, made };
}

const OPTIONS = {
  connectTimeoutMs: 1000,
  commandTimeoutMs: 1000,
  keepaliveIntervalMs: 0,
  knownHostsFiles: [],
  hostKeyMode: 'strict' as const,
};

describe('ConnectionPool', () => {
  it('shares one connection per host', async () => {
    const { transport, made } = fakeTransport();
    const pool = new ConnectionPool({ ssh: transport, local: transport }, OPTIONS);
    expect(await pool.get(spec)).toBe(await pool.get(spec));
    expect(made).toHaveLength(1);
  });

  it('reconnect returns a NEW connection while the old one is still closing; closeAll waits for that close', async () => {
    const { transport, made } = fakeTransport();
    const pool = new ConnectionPool({ ssh: transport, local: transport }, OPTIONS);
    const first = (await pool.get(spec)) as Connection & { id: number };
    const second = (await pool.reconnect(spec)) as Connection & { id: number };
    expect([first.id, second.id]).toEqual([1, 2]);
    expect(made[0]?.closed).toBe(false); // still closing: reconnect did not wait for it
    let closedAll = false;
    const all = pool.closeAll().then(() => (closedAll = true));
    await new Promise((r) => setTimeout(r, 20));
    made[1]?.finishClose();
    await new Promise((r) => setTimeout(r, 20));
    expect(closedAll).toBe(false); // the old connection's close is still pending
    made[0]?.finishClose();
    await all;
    expect(made.every((m) => m.closed)).toBe(true);
  });
});
