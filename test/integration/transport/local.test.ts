/** The local transport (ansible_connection=local): real /bin/sh processes on this machine. */
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type { ConnectionSpec } from '../../../src/core/inventory.js';
import { createLocalTransport } from '../../../src/transport/local.js';
import { UnreachableError, type Connection, type ConnectOptions, type Transport } from '../../../src/transport/types.js';
import { allCommandLines, killAll, waitGone } from './helpers/procs.js';

// Real processes on a shared 2-core machine: be patient.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const spec: ConnectionSpec = {
  name: 'localhost',
  connection: 'local',
  address: '127.0.0.1',
  port: 22,
  user: undefined,
  privateKeyFile: undefined,
  proxyJump: undefined,
  become: false,
  becomeUser: undefined,
  becomePassword: undefined,
};
const options: ConnectOptions = {
  connectTimeoutMs: 1000,
  commandTimeoutMs: 10_000,
  keepaliveIntervalMs: 0,
  knownHostsFiles: [],
  hostKeyMode: 'strict',
  outputCapBytes: 64 * 1024,
};
const SLEEP = ['sleep', '987101'];
const CHILD_SLEEP = ['sleep', '987102'];
const SUDO_SLEEP = ['sleep', '987103'];
const CLOSE_SLEEP = ['sleep', '987104'];

let transport: Transport;
let conn: Connection;
beforeAll(async () => {
  transport = createLocalTransport();
  conn = await transport.connect(spec, options);
});
afterAll(async () => {
  for (const argv of [SLEEP, CHILD_SLEEP, SUDO_SLEEP, CLOSE_SLEEP]) killAll(argv);
  await conn?.close();
  await transport?.close();
});

describe('local exec', () => {
  test('stdout, stderr, exit code, under /bin/sh', async () => {
    expect(await conn.exec('echo out; echo err >&2; printf %s "$0" >&2; exit 4')).toMatchObject({
      command: 'echo out; echo err >&2; printf %s "$0" >&2; exit 4',
      rc: 4,
      signal: null,
      stdout: 'out\n',
      stderr: 'err\n/bin/sh',
      timedOut: false,
    });
  });

  test('stdin, and EOF when none is given', async () => {
    expect((await conn.exec('cat', { stdin: Buffer.from('bytes\n') })).stdout).toBe('bytes\n');
    expect((await conn.exec('cat; echo eof')).stdout).toBe('eof\n');
  });

  test('many in parallel', async () => {
    const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => conn.exec(`echo ${i}`)));
    expect(rs.map((r) => r.stdout)).toEqual(Array.from({ length: 20 }, (_, i) => `${i}\n`));
  });

  test('output is capped', async () => {
    const r = await conn.exec('head -c 100000 /dev/zero | tr "\\0" b');
    expect(r.stdout).toBe(`${'b'.repeat(65536)}\n[fleet: output truncated at 65536 bytes, ${100000 - 65536} more bytes dropped]\n`);
  });

  test('signals are reported', async () => {
    expect(await conn.exec('kill -KILL $$')).toMatchObject({ rc: null, signal: 'SIGKILL', timedOut: false });
  });
});

describe('local timeout', () => {
  test('kills the whole process group', async () => {
    const started = Date.now();
    const r = await conn.exec(`${CHILD_SLEEP.join(' ')} & ${SLEEP.join(' ')}`, { timeoutMs: 500 });
    expect(r).toMatchObject({ rc: null, timedOut: true, signal: 'SIGKILL' });
    expect(Date.now() - started).toBeLessThan(4000);
    expect(await waitGone(SLEEP)).toBe(true);
    expect(await waitGone(CHILD_SLEEP)).toBe(true);
  });

  test('kills a sudo command too', async () => {
    const r = await conn.exec(SUDO_SLEEP.join(' '), { timeoutMs: 500, become: true, becomeUser: 'nobody' });
    expect(r.timedOut).toBe(true);
    expect(await waitGone(SUDO_SLEEP)).toBe(true);
  });
});

describe('local become', () => {
  test('sudo -n to another user', async () => {
    expect(await conn.exec('id -un', { become: true, becomeUser: 'nobody' })).toMatchObject({ rc: 0, stdout: 'nobody\n', stderr: '' });
  });

  test("the spec's become applies when exec() does not say", async () => {
    const c = await transport.connect({ ...spec, become: true, becomeUser: 'nobody' }, options);
    expect((await c.exec('id -un')).stdout).toBe('nobody\n');
    expect((await c.exec('id -un', { become: false })).stdout).toBe('root\n');
    await c.close();
  });

  test('with a password that sudo never asks for (root): not sent, not on stdin, not in ps', async () => {
    const password = `local-secret-${Date.now()}`;
    const c = await transport.connect({ ...spec, become: true, becomePassword: password }, options);
    const running = c.exec('cat; sleep 0.5; id -un', { stdin: 'in\n' });
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) {
      seen.push(...allCommandLines().map((p) => p.cmdline));
      await new Promise((r) => setTimeout(r, 50));
    }
    const r = await running;
    expect(r.stdout).toBe('in\nroot\n');
    expect(seen.some((s) => s.includes('sudo -S'))).toBe(true);
    expect(seen.filter((s) => s.includes(password))).toEqual([]);
    await c.close();
  });
});

describe('close', () => {
  test('kills running commands, which reject as closed; later execs reject too', async () => {
    const c = await transport.connect(spec, options);
    const running = c.exec(CLOSE_SLEEP.join(' '));
    await new Promise((r) => setTimeout(r, 100));
    await c.close();
    await expect(running).rejects.toBeInstanceOf(UnreachableError);
    await expect(c.exec('true')).rejects.toMatchObject({ kind: 'closed', message: 'localhost (local): connection closed' });
    expect(await waitGone(CLOSE_SLEEP)).toBe(true);
  });
});

describe('environment', () => {
  test("fleet's own secrets in its environment do not reach local commands", async () => {
    const saved = { b: process.env.FLEET_BECOME_PASSWORD, p: process.env.FLEET_SSH_PASSPHRASE };
    process.env.FLEET_BECOME_PASSWORD = 'canary-become-7f3a';
    process.env.FLEET_SSH_PASSPHRASE = 'canary-passphrase-9c1d';
    process.env.FLEET_TEST_PLAIN = 'plain-value';
    try {
      const r = await conn.exec('env');
      expect(r.rc).toBe(0);
      expect(r.stdout).toContain('FLEET_TEST_PLAIN=plain-value'); // the rest of the environment is kept
      expect(r.stdout).not.toContain('canary-');
      expect(r.stdout).not.toMatch(/FLEET_BECOME_PASSWORD|FLEET_SSH_PASSPHRASE/);
    } finally {
      for (const [k, v] of [
        ['FLEET_BECOME_PASSWORD', saved.b],
        ['FLEET_SSH_PASSPHRASE', saved.p],
        ['FLEET_TEST_PLAIN', undefined],
      ] as const)
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
    }
  });
});
