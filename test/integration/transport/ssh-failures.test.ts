/** Unreachable hosts: refused, silent, hung mid-run, cut mid-run. All on loopback. */
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { createSshTransport } from '../../../src/transport/ssh.js';
import { UnreachableError } from '../../../src/transport/types.js';
import { sshFixture, type SshFixture } from './helpers/fixture.js';
import { startProxy, startSilentServer } from './helpers/proxy.js';
import { killAll } from './helpers/procs.js';
import { freePort } from './helpers/sshd.js';

// Real sshd sessions on a shared 2-core machine (and root's ~/.bashrc runs pyenv on every exec): be patient.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const HUNG_SLEEP = ['sleep', '987201'];

let fx: SshFixture;
beforeAll(async () => {
  fx = await sshFixture();
});
afterAll(async () => {
  await fx?.cleanup();
});

async function connectError(port: number, connectTimeoutMs = 5000): Promise<{ err: UnreachableError; ms: number }> {
  const transport = createSshTransport();
  const started = Date.now();
  try {
    await transport.connect(fx.spec({ port }), fx.options({ connectTimeoutMs }));
    throw new Error('connected unexpectedly');
  } catch (err) {
    if (!(err instanceof UnreachableError)) throw err;
    return { err, ms: Date.now() - started };
  } finally {
    await transport.close();
  }
}

describe('connect failures', () => {
  test('closed port: refused', async () => {
    const port = await freePort();
    const { err } = await connectError(port);
    expect(err.kind).toBe('refused');
    expect(err.message).toBe(`hv-test (127.0.0.1:${port}): connection refused`);
    expect(err.host).toBe('hv-test');
  });

  test('a server that accepts TCP but never speaks SSH: timeout within the connect timeout', async () => {
    const silent = await startSilentServer();
    try {
      const { err, ms } = await connectError(silent.port, 600);
      expect(err.kind).toBe('timeout');
      expect(err.message).toBe(`hv-test (127.0.0.1:${silent.port}): timed out during connect or SSH handshake`);
      expect(ms).toBeGreaterThanOrEqual(550);
      expect(ms).toBeLessThan(3000);
    } finally {
      await silent.close();
    }
  });
});

describe('losing a host mid-run', () => {
  test('a host that stops answering is detected by keepalives; in-flight and later execs reject', async () => {
    const proxy = await startProxy(fx.sshd.port);
    const transport = createSshTransport();
    try {
      const conn = await transport.connect(fx.spec({ port: proxy.port }), {
        ...fx.options({ knownHostsFiles: [fx.knownHosts('kh-proxy', [`[127.0.0.1]:${proxy.port} ${fx.hostKey('ed25519')}`])] }),
        keepaliveIntervalMs: 200,
        keepaliveCountMax: 2,
      });
      expect((await conn.exec('echo alive')).stdout).toBe('alive\n');
      const started = Date.now();
      const inFlight = conn.exec(HUNG_SLEEP.join(' '), { timeoutMs: 15_000 });
      await new Promise((r) => setTimeout(r, 100));
      proxy.freeze();
      const err = await inFlight.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(UnreachableError);
      expect((err as UnreachableError).kind).toBe('timeout');
      expect((err as UnreachableError).message).toBe(`hv-test (127.0.0.1:${proxy.port}): host stopped answering (keepalive timeout)`);
      expect(Date.now() - started).toBeLessThan(6000); // long before the command would have ended
      await expect(conn.exec('true')).rejects.toBe(err);
      await conn.close();
    } finally {
      await transport.close();
      await proxy.close();
      killAll(HUNG_SLEEP); // still running on the (not really hung) server
    }
  });

  test('a connection cut mid-run: in-flight exec rejects with kind closed', async () => {
    const proxy = await startProxy(fx.sshd.port);
    const transport = createSshTransport();
    try {
      const conn = await transport.connect(
        fx.spec({ port: proxy.port }),
        fx.options({ knownHostsFiles: [fx.knownHosts('kh-proxy2', [`[127.0.0.1]:${proxy.port} ${fx.hostKey('ed25519')}`])] }),
      );
      const inFlight = conn.exec('sleep 2', { timeoutMs: 3000 });
      await new Promise((r) => setTimeout(r, 100));
      proxy.cut();
      const err = (await inFlight.catch((e: unknown) => e)) as UnreachableError;
      expect(err).toBeInstanceOf(UnreachableError);
      expect(err.kind).toBe('closed');
      await expect(conn.exec('true')).rejects.toBeInstanceOf(UnreachableError);
    } finally {
      await transport.close();
      await proxy.close();
    }
  });

  test('close() ends the connection: later execs reject with kind closed', async () => {
    const transport = createSshTransport();
    const conn = await transport.connect(fx.spec(), fx.options());
    await conn.close();
    await expect(conn.exec('true')).rejects.toMatchObject({ kind: 'closed' });
    await transport.close();
  });
});
