/** Host key verification against a real sshd with ed25519, ecdsa and rsa host keys. */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { fingerprintSha256 } from '../../../src/transport/known-hosts.js';
import { createSshTransport } from '../../../src/transport/ssh.js';
import { UnreachableError, type ConnectOptions } from '../../../src/transport/types.js';
import type { ConnectionSpec } from '../../../src/core/inventory.js';
import { sshFixture, type SshFixture } from './helpers/fixture.js';
import { keygen, publicKeyOf } from './helpers/sshd.js';

// Real sshd sessions on a shared 2-core machine (and root's ~/.bashrc runs pyenv on every exec): be patient.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const ADDRESSES = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'];
let fx: SshFixture;
let ecdsaOnly: SshFixture;
let name: string;
let otherEd25519: string;

beforeAll(async () => {
  [fx, ecdsaOnly] = await Promise.all([sshFixture({ addresses: ADDRESSES }), sshFixture({ hostKeyTypes: ['ecdsa'] })]);
  name = `[127.0.0.1]:${fx.sshd.port}`;
  otherEd25519 = publicKeyOf(keygen(path.join(fx.dir, 'not_the_host_key'), 'ed25519'));
});
afterAll(async () => {
  await fx?.cleanup();
  await ecdsaOnly?.cleanup();
});

/** Connects, runs `true`, closes; returns the UnreachableError if it failed. */
async function attempt(spec: ConnectionSpec, options: ConnectOptions): Promise<UnreachableError | undefined> {
  const transport = createSshTransport();
  try {
    const conn = await transport.connect(spec, options);
    expect((await conn.exec('true')).rc).toBe(0);
    await conn.close();
    return undefined;
  } catch (err) {
    if (err instanceof UnreachableError) return err;
    throw err;
  } finally {
    await transport.close();
  }
}
const withFile = (file: string, mode: ConnectOptions['hostKeyMode'] = 'strict'): ConnectOptions =>
  fx.options({ knownHostsFiles: [file], hostKeyMode: mode });

describe('known host keys are accepted', () => {
  test('plain [host]:port entry', async () => {
    expect(await attempt(fx.spec(), withFile(fx.knownHosts('plain', [`${name} ${fx.hostKey('ed25519')}`])))).toBeUndefined();
  });

  test('hashed entry (ssh-keygen -H)', async () => {
    const file = fx.knownHosts('hashed', [`${name} ${fx.hostKey('ed25519')}`]);
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    expect(readFileSync(file, 'utf8')).toMatch(/^\|1\|/);
    expect(await attempt(fx.spec(), withFile(file))).toBeUndefined();
  });

  test('comma-separated host list with a wildcard', async () => {
    const file = fx.knownHosts('list', [`hv01,[127.0.0.?]:${fx.sshd.port},!hv02 ${fx.hostKey('ed25519')}`]);
    expect(await attempt(fx.spec(), withFile(file))).toBeUndefined();
  });

  test.each(['ecdsa', 'rsa'] as const)('host known only by its %s key (we ask for that type first)', async (type) => {
    const file = fx.knownHosts(`only-${type}`, [`${name} ${fx.hostKey(type)}`]);
    expect(await attempt(fx.spec(), withFile(file))).toBeUndefined();
  });

  test('several keys of the same type: any match is enough', async () => {
    const file = fx.knownHosts('several', [
      `${name} ${otherEd25519}`,
      `${name} ${fx.hostKey('ed25519')}`,
      `${name} ${fx.hostKey('ecdsa')}`,
    ]);
    expect(await attempt(fx.spec(), withFile(file))).toBeUndefined();
  });

  test('second known_hosts file (e.g. /etc/ssh/ssh_known_hosts)', async () => {
    const options = fx.options({
      knownHostsFiles: [fx.knownHosts('empty-user', []), fx.knownHosts('system', [`${name} ${fx.hostKey('rsa')}`])],
    });
    expect(await attempt(fx.spec(), options)).toBeUndefined();
  });
});

describe('unknown hosts', () => {
  test('strict refuses, says how to add the key, and writes nothing', async () => {
    // A port-less entry is for port 22 only: it must not vouch for another port.
    const file = fx.knownHosts('unknown', [`127.0.0.1 ${fx.hostKey('ed25519')}`]);
    const err = await attempt(fx.spec(), withFile(file));
    expect(err?.kind).toBe('hostkey-unknown');
    expect(err?.message).toMatch(
      new RegExp(`^hv-test \\(127\\.0\\.0\\.1:${fx.sshd.port}\\): host key for \\[127\\.0\\.0\\.1\\]:${fx.sshd.port} is not known`),
    );
    expect(err?.message).toContain(fingerprintSha256(Buffer.from(fx.hostKey('ed25519').split(' ')[1] ?? '', 'base64')));
    expect(err?.message).toContain(`ssh-keyscan -p ${fx.sshd.port} 127.0.0.1`);
    expect(err?.message).toContain('--host-key-checking accept-new');
    expect(err?.message).not.toContain('\n');
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(1);
  });

  test('accept-new appends (file created 0600), then strict accepts', async () => {
    const file = path.join(fx.dir, 'created', 'known_hosts');
    expect(await attempt(fx.spec(), withFile(file, 'accept-new'))).toBeUndefined();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe(`${name} ${fx.hostKey('ed25519')}\n`);
    expect(execFileSync('ssh-keygen', ['-F', name, '-f', file], { encoding: 'utf8' })).toContain('found');
    expect(await attempt(fx.spec(), withFile(file, 'strict'))).toBeUndefined();
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(1); // nothing added the second time
  });

  test('accept-new with hashKnownHosts writes a hashed entry that strict then accepts', async () => {
    const file = path.join(fx.dir, 'hashed_known_hosts');
    expect(await attempt(fx.spec(), { ...withFile(file, 'accept-new'), hashKnownHosts: true })).toBeUndefined();
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^\|1\|[A-Za-z0-9+/=]+\|[A-Za-z0-9+/=]+ ssh-ed25519 /);
    expect(text).not.toContain('127.0.0.1');
    expect(execFileSync('ssh-keygen', ['-F', name, '-f', file], { encoding: 'utf8' })).toContain('found');
    expect(await attempt(fx.spec(), withFile(file, 'strict'))).toBeUndefined();
  });

  test('accept-new into a known_hosts that cannot be written refuses the host (nothing recorded, nothing trusted)', async () => {
    const file = path.join(fx.dir, 'not-a-dir', 'known_hosts');
    writeFileSync(path.join(fx.dir, 'not-a-dir'), 'a file where a directory should be');
    const err = await attempt(fx.spec(), withFile(file, 'accept-new'));
    expect(err?.kind).toBe('hostkey-unknown');
    expect(err?.message).toContain(`is new but could not be added to ${file}`);
  });

  test('accept-new from many hosts at once leaves a valid file with one line per host', async () => {
    const file = path.join(fx.dir, 'concurrent_known_hosts');
    const transport = createSshTransport();
    const options = withFile(file, 'accept-new');
    const conns = await Promise.all(ADDRESSES.map((address, i) => transport.connect(fx.spec({ name: `hv${i}`, address }), options)));
    await Promise.all(conns.map((c) => c.close()));
    await transport.close();
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines.sort()).toEqual(ADDRESSES.map((a) => `[${a}]:${fx.sshd.port} ${fx.hostKey('ed25519')}`).sort());
    for (const a of ADDRESSES)
      expect(execFileSync('ssh-keygen', ['-F', `[${a}]:${fx.sshd.port}`, '-f', file], { encoding: 'utf8' })).toContain('found');
  });

  test('a host known by other key types only, offering a new type, is unknown (not changed)', async () => {
    const ecName = `[127.0.0.1]:${ecdsaOnly.sshd.port}`;
    const file = ecdsaOnly.knownHosts('ed-only', [`${ecName} ${fx.hostKey('ed25519')}`]);
    const err = await attempt(ecdsaOnly.spec(), ecdsaOnly.options({ knownHostsFiles: [file] }));
    expect(err?.kind).toBe('hostkey-unknown');
    expect(err?.message).toContain('keys of other types are known: ssh-ed25519');
  });

  test('accept-new refuses a host known by another key type (as a changed key) and records nothing', async () => {
    const ecName = `[127.0.0.1]:${ecdsaOnly.sshd.port}`;
    const file = ecdsaOnly.knownHosts('ed-only-accept-new', [`${ecName} ${fx.hostKey('ed25519')}`]);
    const err = await attempt(ecdsaOnly.spec(), ecdsaOnly.options({ knownHostsFiles: [file], hostKeyMode: 'accept-new' }));
    expect(err?.kind).toBe('hostkey-changed');
    expect(err?.message).toContain(
      `it presented ECDSA key ${fingerprintSha256(Buffer.from(ecdsaOnly.hostKey('ecdsa').split(' ')[1] ?? '', 'base64'))}`,
    );
    expect(err?.message).toContain(`known_hosts has only keys of other types (ssh-ed25519 at ${file}:1)`);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(1);
  });
});

describe('changed and revoked keys', () => {
  const changed = (): string => fx.knownHosts(`changed-${Math.random()}`, [`${name} ${otherEd25519}`]);

  test.each(['strict', 'accept-new'] as const)('%s refuses a changed key like OpenSSH', async (mode) => {
    const file = changed();
    const err = await attempt(fx.spec(), withFile(file, mode));
    expect(err?.kind).toBe('hostkey-changed');
    expect(err?.message).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED');
    expect(err?.message).toMatch(/ED25519 key SHA256:[A-Za-z0-9+/]{43}/);
    expect(err?.message).toContain(`${file}:1`);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(1);
  });

  test('off accepts a changed key', async () => {
    expect(await attempt(fx.spec(), withFile(changed(), 'off'))).toBeUndefined();
  });

  test('@revoked key is refused', async () => {
    const file = fx.knownHosts('revoked', [`@revoked * ${fx.hostKey('ed25519')}`, `${name} ${fx.hostKey('ed25519')}`]);
    const err = await attempt(fx.spec(), withFile(file));
    expect(err?.kind).toBe('hostkey-changed');
    expect(err?.message).toContain('REVOKED');
  });
});
