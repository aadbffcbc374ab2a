import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { createSshTransport } from '../../../src/transport/ssh.js';
import type { Connection, Transport } from '../../../src/transport/types.js';
import { sshFixture, type SshFixture } from './helpers/fixture.js';

// Real sshd sessions on a shared 2-core machine (and root's ~/.bashrc runs pyenv on every exec): be patient.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

let fx: SshFixture;
let transport: Transport;
let conn: Connection;

beforeAll(async () => {
  fx = await sshFixture();
  transport = createSshTransport();
  conn = await transport.connect(fx.spec(), fx.options());
});

afterAll(async () => {
  await conn?.close();
  await transport?.close();
  await fx?.cleanup();
});

describe('ssh exec', () => {
  test('captures stdout, stderr and the exit code', async () => {
    const r = await conn.exec('echo out; echo err >&2; exit 3');
    expect(r).toMatchObject({
      command: 'echo out; echo err >&2; exit 3',
      rc: 3,
      signal: null,
      stdout: 'out\n',
      stderr: 'err\n',
      timedOut: false,
    });
    expect(r.durationMs).toBeGreaterThanOrEqual(0);
  });

  test('feeds stdin and closes it', async () => {
    const r = await conn.exec('wc -c; cat', { stdin: 'hello\n' });
    expect(r.stdout).toBe('6\n');
    const r2 = await conn.exec('cat', { stdin: 'a\nb\n' });
    expect(r2.stdout).toBe('a\nb\n');
    // no stdin given: the command sees EOF at once instead of hanging
    expect((await conn.exec('cat; echo end')).stdout).toBe('end\n');
  });

  test('runs under /bin/sh with values passed through verbatim', async () => {
    const r = await conn.exec(`printf '%s' "$0"`);
    expect(r.stdout).toBe('/bin/sh');
  });

  test('reports UTF-8 output as text', async () => {
    const r = await conn.exec(`printf 'h\\303\\251t\\303\\251ro\\n'`);
    expect(r.stdout).toBe('hétéro\n');
  });

  test('many parallel commands share ONE TCP connection', async () => {
    const before = fx.sshd.acceptedLogins();
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => conn.exec(`echo ${i}; sleep 0.1`)));
    expect(results.map((r) => r.stdout)).toEqual(Array.from({ length: 30 }, (_, i) => `${i}\n`));
    expect(fx.sshd.acceptedLogins()).toBe(before);
    expect(fx.sshd.acceptedLogins()).toBe(1);
    // every command is a session on that one connection
    expect((fx.sshd.log().match(/Starting session: command for root/g) ?? []).length).toBeGreaterThanOrEqual(30);
  });
});
