/** Per-command behaviour over SSH: timeouts that really kill, bounded output, channel limits. */
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { createSshTransport } from '../../../src/transport/ssh.js';
import type { Connection, Transport } from '../../../src/transport/types.js';
import { sshFixture, type SshFixture } from './helpers/fixture.js';
import { killAll, pidsRunning, waitGone } from './helpers/procs.js';

// Real sshd sessions on a shared 2-core machine (and root's ~/.bashrc runs pyenv on every exec): be patient.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

let fx: SshFixture;
let transport: Transport;
let conn: Connection;
const SLEEP = ['sleep', '987001'];
const CHILD_SLEEP = ['sleep', '987002'];
const SUDO_SLEEP = ['sleep', '987003'];

beforeAll(async () => {
  fx = await sshFixture();
  transport = createSshTransport();
  conn = await transport.connect(fx.spec(), fx.options({ outputCapBytes: 1024 * 1024, maxChannelsPerHost: 3 }));
});
afterAll(async () => {
  for (const argv of [SLEEP, CHILD_SLEEP, SUDO_SLEEP]) killAll(argv);
  await conn?.close();
  await transport?.close();
  await fx?.cleanup();
});

describe('per-command timeout', () => {
  test('kills the remote command and everything it started', async () => {
    const started = Date.now();
    const r = await conn.exec(`${CHILD_SLEEP.join(' ')} & ${SLEEP.join(' ')}`, { timeoutMs: 1000 });
    const elapsed = Date.now() - started;
    expect(r).toMatchObject({ rc: null, timedOut: true, signal: 'SIGKILL' });
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect(elapsed).toBeLessThan(6000);
    expect(await waitGone(SLEEP)).toBe(true);
    expect(await waitGone(CHILD_SLEEP)).toBe(true);
  });

  test('under sudo too (the guard runs inside sudo)', async () => {
    const r = await conn.exec(SUDO_SLEEP.join(' '), { timeoutMs: 800, become: true, becomeUser: 'nobody' });
    expect(r).toMatchObject({ rc: null, timedOut: true });
    expect(await waitGone(SUDO_SLEEP)).toBe(true);
  });

  test('the default comes from ConnectOptions.commandTimeoutMs', async () => {
    const t = createSshTransport();
    const c = await t.connect(fx.spec(), fx.options({ commandTimeoutMs: 500 }));
    const r = await c.exec(SLEEP.join(' '));
    expect(r.timedOut).toBe(true);
    expect(r.durationMs).toBeLessThan(5000);
    expect(await waitGone(SLEEP)).toBe(true);
    await c.close();
    await t.close();
  });

  test('a command that finishes in time is untouched, and timeoutMs 0 disables the limit', async () => {
    expect(await conn.exec('sleep 0.2; echo done', { timeoutMs: 5000 })).toMatchObject({ rc: 0, stdout: 'done\n', timedOut: false });
    expect(await conn.exec('exit 7', { timeoutMs: 0 })).toMatchObject({ rc: 7, timedOut: false });
    expect(pidsRunning(SLEEP)).toEqual([]);
  });

  test('a command killed by a signal reports it', async () => {
    expect(await conn.exec('kill -TERM $$')).toMatchObject({ rc: null, signal: 'SIGTERM', timedOut: false });
  });
});

describe('output', () => {
  test('huge output is capped with a marker, the command still completes', async () => {
    const r = await conn.exec(`head -c 3000000 /dev/zero | tr '\\0' a; echo tail >&2`);
    expect(r.rc).toBe(0);
    expect(r.stdout.startsWith('a'.repeat(1024 * 1024))).toBe(true);
    expect(r.stdout.slice(1024 * 1024)).toBe(`\n[fleet: output truncated at 1048576 bytes, ${3000000 - 1024 * 1024} more bytes dropped]\n`);
    expect(r.stderr).toBe('tail\n');
  });

  test('stdin larger than the SSH window goes through', async () => {
    const big = 'x'.repeat(3 * 1024 * 1024);
    const r = await conn.exec('wc -c', { stdin: big });
    expect(r.stdout.trim()).toBe(String(big.length));
  });
});

describe('channels', () => {
  test('at most maxChannelsPerHost commands run at once on the connection', async () => {
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 6 }, () => conn.exec('sleep 0.4')));
    expect(results.every((r) => r.rc === 0)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(800); // two rounds of three
  });
});
