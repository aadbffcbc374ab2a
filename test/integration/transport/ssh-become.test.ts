/** become via sudo over SSH, logged in as an unprivileged throwaway user that has a sudo password. */
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { createSshTransport } from '../../../src/transport/ssh.js';
import type { Connection, Transport } from '../../../src/transport/types.js';
import { sshFixture, type SshFixture } from './helpers/fixture.js';
import { allCommandLines } from './helpers/procs.js';
import { createTempUser, type TempUser } from './helpers/temp-user.js';

// Real sshd sessions on a shared 2-core machine (and root's ~/.bashrc runs pyenv on every exec): be patient.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

let fx: SshFixture;
let user: TempUser;
let transport: Transport;
let withPassword: Connection;
let withoutPassword: Connection;
let wrongPassword: Connection;

beforeAll(async () => {
  user = createTempUser();
  try {
    fx = await sshFixture();
    transport = createSshTransport();
    const options = fx.options();
    const spec = fx.spec({ user: user.name, become: true });
    [withPassword, withoutPassword, wrongPassword] = await Promise.all([
      transport.connect({ ...spec, becomePassword: user.password }, options),
      transport.connect(spec, options),
      transport.connect({ ...spec, becomePassword: 'not the password' }, options),
    ]);
  } catch (err) {
    user.remove();
    throw err;
  }
});

afterAll(async () => {
  try {
    await Promise.all([withPassword?.close(), withoutPassword?.close(), wrongPassword?.close()]);
    await transport?.close();
    await fx?.cleanup();
  } finally {
    user?.remove();
  }
});

describe('become with a password', () => {
  test('runs as root; prompt and marker never show in the output', async () => {
    const r = await withPassword.exec('id -un; echo err >&2');
    expect(r.rc).toBe(0);
    expect(r.stdout).toBe('root\n');
    expect(r.stderr).not.toMatch(/fleet-sudo|FLEET-BECOME/);
    expect(r.stderr).toMatch(/err\n$/);
    expect(r.stdout + r.stderr).not.toContain(user.password);
  });

  test('without become the login user runs the command', async () => {
    expect((await withPassword.exec('id -un', { become: false })).stdout).toBe(`${user.name}\n`);
  });

  test("the command's own stdin still works after the password", async () => {
    const r = await withPassword.exec('cat; id -un', { stdin: 'line 1\nline 2\n' });
    expect(r.stdout).toBe('line 1\nline 2\nroot\n');
  });

  test('NOPASSWD rule (no prompt): the password is not sent and never reaches stdin', async () => {
    const r = await withPassword.exec('cat; id -un', { becomeUser: 'nobody', stdin: 'only this\n' });
    expect(r.stdout).toBe('only this\nnobody\n');
  });

  test('the password never appears on any command line while sudo runs', async () => {
    const running = withPassword.exec('sleep 1; echo ok');
    const seen: string[] = [];
    const deadline = Date.now() + 900;
    while (Date.now() < deadline) {
      seen.push(...allCommandLines().map((p) => p.cmdline));
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await running).stdout).toBe('ok\n');
    expect(seen.some((c) => c.includes('sudo -S'))).toBe(true); // we did look while sudo was there
    expect(seen.filter((c) => c.includes(user.password))).toEqual([]);
    expect(seen.filter((c) => c.includes(user.password.slice(-12)))).toEqual([]);
  });

  test('parallel become commands on one connection', async () => {
    const rs = await Promise.all(Array.from({ length: 6 }, (_, i) => withPassword.exec(`echo ${i}; id -u`)));
    expect(rs.map((r) => r.stdout)).toEqual(Array.from({ length: 6 }, (_, i) => `${i}\n0\n`));
  });
});

describe('become failures are results, not hangs', () => {
  test('wrong password: failed result with a clear message', async () => {
    const started = Date.now();
    const r = await wrongPassword.exec('id -un', { stdin: 'data that must not be taken as a password\n' });
    expect(r.rc).not.toBe(0);
    expect(r.timedOut).toBe(false);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^fleet: sudo rejected the become password \(become user root\)\n/);
    expect(r.stderr).toMatch(/incorrect password/);
    expect(Date.now() - started).toBeLessThan(8000); // PAM's failure delay, not a hang
  });

  test('no password but sudo wants one: sudo -n fails at once, with a hint', async () => {
    const r = await withoutPassword.exec('id -un');
    expect(r.rc).toBe(1);
    expect(r.stderr).toMatch(/^fleet: sudo needs a password to become root and none was given/);
    expect(r.stderr).toContain('sudo: a password is required');
  });

  test('no password and a NOPASSWD rule: works', async () => {
    expect((await withoutPassword.exec('id -un', { becomeUser: 'nobody' })).stdout).toBe('nobody\n');
  });
});
