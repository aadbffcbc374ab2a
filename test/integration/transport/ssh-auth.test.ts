/** Authentication against a real sshd: key files, encrypted keys, ssh-agent, default identities. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type { ConnectionSpec } from '../../../src/core/inventory.js';
import { createSshTransport, type SshTransportOptions } from '../../../src/transport/ssh.js';
import { UnreachableError, type ConnectOptions } from '../../../src/transport/types.js';
import { sshFixture, type SshFixture } from './helpers/fixture.js';
import { keygen, publicKeyOf } from './helpers/sshd.js';

// Real sshd sessions on a shared 2-core machine (and root's ~/.bashrc runs pyenv on every exec): be patient.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

let fx: SshFixture;
let agent: ChildProcess | undefined;
let agentSocket: string;
let encryptedKey: string;
let agentOnlyKey: string;
let emptyHome: string;

beforeAll(async () => {
  fx = await sshFixture();
  encryptedKey = keygen(path.join(fx.dir, 'id_encrypted'), 'ed25519', 'correct horse');
  agentOnlyKey = keygen(path.join(fx.dir, 'id_agent'), 'ecdsa');
  fx.sshd.authorize(publicKeyOf(encryptedKey));
  fx.sshd.authorize(publicKeyOf(agentOnlyKey));
  emptyHome = path.join(fx.dir, 'empty-home');
  mkdirSync(emptyHome);

  agentSocket = path.join(fx.dir, 'agent.sock');
  agent = spawn('ssh-agent', ['-D', '-a', agentSocket], { stdio: 'ignore' });
  const started = agent;
  process.once('exit', () => started.kill('SIGKILL')); // safety net if afterAll never runs
  for (let i = 0; i < 100 && !existsSync(agentSocket); i++) await new Promise((r) => setTimeout(r, 20));
  execFileSync('ssh-add', [agentOnlyKey], { env: { ...process.env, SSH_AUTH_SOCK: agentSocket }, stdio: 'ignore' });
});

afterAll(async () => {
  if (agent?.pid !== undefined && agent.exitCode === null) agent.kill('SIGTERM');
  await fx?.cleanup();
});

async function attempt(
  spec: ConnectionSpec,
  options: ConnectOptions,
  deps: SshTransportOptions = { homeDir: emptyHome },
): Promise<UnreachableError | string> {
  const transport = createSshTransport(deps);
  try {
    const conn = await transport.connect(spec, options);
    const r = await conn.exec('id -un');
    await conn.close();
    return r.stdout.trim();
  } catch (err) {
    if (err instanceof UnreachableError) return err;
    throw err;
  } finally {
    await transport.close();
  }
}

describe('key files', () => {
  test('encrypted key with the passphrase', async () => {
    expect(await attempt(fx.spec({ privateKeyFile: encryptedKey }), fx.options({ passphrase: 'correct horse' }))).toBe('root');
  });

  test('encrypted key without a passphrase: auth error saying what to do', async () => {
    const err = await attempt(fx.spec({ privateKeyFile: encryptedKey }), fx.options());
    expect(err).toBeInstanceOf(UnreachableError);
    expect((err as UnreachableError).kind).toBe('auth');
    expect((err as UnreachableError).message).toBe(
      `hv-test (127.0.0.1:${fx.sshd.port}): private key ${encryptedKey} is encrypted: give its passphrase in FLEET_SSH_PASSPHRASE (or load it into ssh-agent)`,
    );
  });

  test('wrong passphrase', async () => {
    const err = (await attempt(fx.spec({ privateKeyFile: encryptedKey }), fx.options({ passphrase: 'wrong' }))) as UnreachableError;
    expect(err.kind).toBe('auth');
    expect(err.message).toContain(`cannot decrypt private key ${encryptedKey}: wrong passphrase`);
    expect(err.message).not.toContain('wrong horse');
  });

  test('missing key file', async () => {
    const err = (await attempt(fx.spec({ privateKeyFile: path.join(fx.dir, 'nope') }), fx.options())) as UnreachableError;
    expect(err.kind).toBe('auth');
    expect(err.message).toMatch(/private key file .*nope: not found$/);
  });

  test('a key the server does not accept', async () => {
    const stranger = keygen(path.join(fx.dir, 'id_stranger'), 'ed25519');
    const err = (await attempt(fx.spec({ privateKeyFile: stranger }), fx.options())) as UnreachableError;
    expect(err.kind).toBe('auth');
    expect(err.message).toBe(`hv-test (127.0.0.1:${fx.sshd.port}): authentication failed for user root (tried key ${stranger})`);
  });

  test('an unknown user is an auth failure too', async () => {
    const err = (await attempt(fx.spec({ user: 'fleet-no-such-user' }), fx.options())) as UnreachableError;
    expect(err.kind).toBe('auth');
    expect(err.message).toContain('for user fleet-no-such-user');
  });
});

describe('ssh-agent and default identities', () => {
  test('only the agent (no key file, no default keys)', async () => {
    expect(await attempt(fx.spec({ privateKeyFile: undefined }), fx.options({ agentSocket }))).toBe('root');
  });

  test('a dead agent socket is skipped and the key file still works', async () => {
    const otherAgentSocket = path.join(fx.dir, 'no-such-agent.sock');
    expect(await attempt(fx.spec(), fx.options({ agentSocket: otherAgentSocket }))).toBe('root');
  });

  test('default identities in ~/.ssh, skipping an encrypted one we cannot open', async () => {
    const home = path.join(fx.dir, 'home');
    mkdirSync(path.join(home, '.ssh'), { recursive: true });
    copyFileSync(encryptedKey, path.join(home, '.ssh', 'id_ed25519')); // encrypted, no passphrase given: skipped
    copyFileSync(agentOnlyKey, path.join(home, '.ssh', 'id_ecdsa')); // authorized: used
    expect(await attempt(fx.spec({ privateKeyFile: undefined, user: undefined }), fx.options(), { homeDir: home })).toBe('root');
  });

  test('no credentials at all', async () => {
    const err = (await attempt(fx.spec({ privateKeyFile: undefined }), fx.options())) as UnreachableError;
    expect(err.kind).toBe('auth');
    expect(err.message).toContain('no SSH credentials');
  });
});
