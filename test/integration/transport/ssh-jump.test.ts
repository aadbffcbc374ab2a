/** ProxyJump: many targets tunnelled through ONE shared connection to a jump sshd. */
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { createSshTransport } from '../../../src/transport/ssh.js';
import { UnreachableError, type ConnectOptions } from '../../../src/transport/types.js';
import { sshFixture, type SshFixture } from './helpers/fixture.js';
import { freePort, publicKeyOf } from './helpers/sshd.js';

// Real sshd sessions on a shared 2-core machine (and root's ~/.bashrc runs pyenv on every exec): be patient.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

let target: SshFixture;
let jump: SshFixture;
let options: ConnectOptions;
let jumpSpec: string;

beforeAll(async () => {
  [target, jump] = await Promise.all([sshFixture({ addresses: ['127.0.0.1'] }), sshFixture({ addresses: ['127.0.0.2'] })]);
  jump.sshd.authorize(publicKeyOf(target.clientKey)); // the same key logs into both, as with one ~/.ssh
  jumpSpec = `root@127.0.0.2:${jump.sshd.port}`;
  options = target.options({
    knownHostsFiles: [
      target.knownHosts('kh-both', [
        `[127.0.0.1]:${target.sshd.port} ${target.hostKey('ed25519')}`,
        `[127.0.0.2]:${jump.sshd.port} ${jump.hostKey('ecdsa')}`,
      ]),
    ],
  });
});
afterAll(async () => {
  await Promise.all([target?.cleanup(), jump?.cleanup()]);
});

describe('ProxyJump', () => {
  test('ten targets through one jump connection', async () => {
    const transport = createSshTransport();
    try {
      const conns = await Promise.all(
        Array.from({ length: 10 }, (_, i) => transport.connect(target.spec({ name: `hv${i}`, proxyJump: jumpSpec }), options)),
      );
      const results = await Promise.all(conns.map((c) => c.exec('echo "$SSH_CONNECTION"')));
      for (const r of results) {
        // the target sees the connection coming from the jump host's side, not from us directly
        expect(r.rc).toBe(0);
        expect(r.stdout).toMatch(new RegExp(` 127\\.0\\.0\\.1 ${target.sshd.port}\\n$`));
      }
      expect(jump.sshd.acceptedLogins()).toBe(1);
      expect(target.sshd.acceptedLogins()).toBe(10);
      await Promise.all(conns.map((c) => c.close()));
    } finally {
      await transport.close();
    }
  });

  test('the jump host key is verified too', async () => {
    const transport = createSshTransport();
    try {
      const onlyTarget = {
        ...options,
        knownHostsFiles: [target.knownHosts('kh-target-only', [`[127.0.0.1]:${target.sshd.port} ${target.hostKey('ed25519')}`])],
      };
      const err = (await transport.connect(target.spec({ proxyJump: jumpSpec }), onlyTarget).catch((e: unknown) => e)) as UnreachableError;
      expect(err).toBeInstanceOf(UnreachableError);
      expect(err.kind).toBe('hostkey-unknown');
      expect(err.message).toMatch(
        new RegExp(
          `^hv-test \\(127\\.0\\.0\\.1:${target.sshd.port} via root@127\\.0\\.0\\.2:${jump.sshd.port}\\): jump host root@127\\.0\\.0\\.2:${jump.sshd.port}: host key for \\[127\\.0\\.0\\.2\\]:${jump.sshd.port} is not known`,
        ),
      );
    } finally {
      await transport.close();
    }
  });

  test('target port closed behind the jump host: refused', async () => {
    const transport = createSshTransport();
    try {
      const closedPort = await freePort();
      const err = (await transport
        .connect(target.spec({ port: closedPort, proxyJump: jumpSpec }), options)
        .catch((e: unknown) => e)) as UnreachableError;
      expect(err.kind).toBe('refused');
      expect(err.message).toContain(`via ${jumpSpec}`);
    } finally {
      await transport.close();
    }
  });

  test('jump host down: every target reports it, the jump is dialled once', async () => {
    const transport = createSshTransport();
    try {
      const deadPort = await freePort('127.0.0.2');
      const specs = [0, 1, 2].map((i) => target.spec({ name: `hv${i}`, proxyJump: `127.0.0.2:${deadPort}` }));
      const errs = (await Promise.all(specs.map((s) => transport.connect(s, options).catch((e: unknown) => e)))) as UnreachableError[];
      for (const e of errs) {
        expect(e.kind).toBe('refused');
        expect(e.message).toContain(`jump host 127.0.0.2:${deadPort}: connection refused`);
      }
    } finally {
      await transport.close();
    }
  });

  test('invalid ProxyJump value', async () => {
    const transport = createSshTransport();
    const err = (await transport.connect(target.spec({ proxyJump: 'root@:x' }), options).catch((e: unknown) => e)) as UnreachableError;
    expect(err.kind).toBe('other');
    expect(err.message).toContain("invalid ProxyJump 'root@:x'");
    await transport.close();
  });
});
