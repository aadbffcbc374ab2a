import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { prepareHostKeyCheck } from '../../../src/transport/host-key-check.js';
import { checkHostKey, parseKnownHosts } from '../../../src/transport/known-hosts.js';
import { expandHome, KnownHostsStore } from '../../../src/transport/known-hosts-store.js';

function blob(type: string, seed: number): Buffer {
  const t = Buffer.from(type);
  const body = Buffer.alloc(32, seed);
  const l1 = Buffer.alloc(4);
  l1.writeUInt32BE(t.length);
  const l2 = Buffer.alloc(4);
  l2.writeUInt32BE(body.length);
  return Buffer.concat([l1, t, l2, body]);
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-transport-khs-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('KnownHostsStore', () => {
  test('missing files are empty; entries come from every file in order', async () => {
    const a = path.join(dir, 'a');
    writeFileSync(a, `hv01 ssh-ed25519 ${blob('ssh-ed25519', 1).toString('base64')}\n`);
    const store = new KnownHostsStore([path.join(dir, 'nope'), a]);
    expect((await store.entries()).map((e) => e.hosts)).toEqual(['hv01']);
  });

  test('append creates the file 0600 (and its directory 0700), in OpenSSH format', async () => {
    const file = path.join(dir, 'new', '.ssh', 'known_hosts');
    const store = new KnownHostsStore([file]);
    await store.acceptNew('[127.0.0.1]:2222', blob('ssh-ed25519', 5));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(readFileSync(file, 'utf8')).toBe(`[127.0.0.1]:2222 ssh-ed25519 ${blob('ssh-ed25519', 5).toString('base64')}\n`);
    // ssh-keygen agrees it is a valid entry for that host
    expect(execFileSync('ssh-keygen', ['-F', '[127.0.0.1]:2222', '-f', file], { encoding: 'utf8' })).toContain('found');
  });

  test('a last line without newline is not glued to the new entry', async () => {
    const file = path.join(dir, 'nonl');
    writeFileSync(file, `hv01 ssh-ed25519 ${blob('ssh-ed25519', 1).toString('base64')}`);
    await new KnownHostsStore([file]).acceptNew('hv02', blob('ssh-ed25519', 2));
    expect(parseKnownHosts(readFileSync(file, 'utf8'), file).map((e) => e.hosts)).toEqual(['hv01', 'hv02']);
  });

  test('200 concurrent appends from two stores: every line intact, no duplicates', async () => {
    const file = path.join(dir, 'concurrent');
    const s1 = new KnownHostsStore([file]);
    const s2 = new KnownHostsStore([file]);
    const jobs: Promise<unknown>[] = [];
    for (let i = 0; i < 100; i++) {
      jobs.push(s1.acceptNew(`hv${i}`, blob('ssh-ed25519', i)));
      // a second store (own in-memory view) records the same keys, hashed, at the same time
      jobs.push(s2.acceptNew(`hv${i}`, blob('ssh-ed25519', i), true));
    }
    await Promise.all(jobs);
    const text = readFileSync(file, 'utf8');
    const lines = text.trimEnd().split('\n');
    // every line parses as an entry
    expect(parseKnownHosts(text, file)).toHaveLength(lines.length);
    for (let i = 0; i < 100; i++) expect(checkHostKey(parseKnownHosts(text, file), `hv${i}`, blob('ssh-ed25519', i)).status).toBe('known');
    // one store never writes the same key twice
    expect(lines.filter((l) => l.startsWith('hv7 '))).toHaveLength(1);
  });

  test('expandHome', () => {
    expect(expandHome('~/.ssh/known_hosts', '/home/x')).toBe('/home/x/.ssh/known_hosts');
    expect(expandHome('/etc/ssh/ssh_known_hosts', '/home/x')).toBe('/etc/ssh/ssh_known_hosts');
  });
});

describe('prepareHostKeyCheck', () => {
  const defaults = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  const ed = blob('ssh-ed25519', 9);
  const ec = blob('ecdsa-sha2-nistp256', 9);
  const known = (): string => {
    const file = path.join(dir, `kh-${Math.random()}`);
    writeFileSync(file, `[10.0.0.1]:2222 ecdsa-sha2-nistp256 ${ec.toString('base64')}\n`);
    return file;
  };
  const opts = (file: string, mode: 'strict' | 'accept-new' | 'off') => ({
    mode,
    store: new KnownHostsStore([file]),
    host: '10.0.0.1',
    port: 2222,
    defaultAlgorithms: defaults,
    supportedAlgorithms: defaults,
  });

  test('asks for known types first', async () => {
    const check = await prepareHostKeyCheck(opts(known(), 'strict'));
    expect(check.algorithms[0]).toBe('ecdsa-sha2-nistp256');
  });

  test('strict: unknown refused with how to add it', async () => {
    const check = await prepareHostKeyCheck(opts(path.join(dir, 'empty'), 'strict'));
    const d = await check.verify(ed);
    expect(d.accept).toBe(false);
    expect(!d.accept && d.kind).toBe('hostkey-unknown');
    expect(!d.accept && d.reason).toMatch(
      /^host key for \[10\.0\.0\.1\]:2222 is not known: it presented ED25519 key SHA256:\S+\. .*ssh-keyscan -p 2222 10\.0\.0\.1 >> .*--host-key-checking accept-new$/,
    );
  });

  test('changed key refused in strict and accept-new, with the OpenSSH warning', async () => {
    const other = blob('ecdsa-sha2-nistp256', 10);
    for (const mode of ['strict', 'accept-new'] as const) {
      const file = known();
      const d = await (await prepareHostKeyCheck(opts(file, mode))).verify(other);
      expect(d.accept).toBe(false);
      expect(!d.accept && d.kind).toBe('hostkey-changed');
      expect(!d.accept && d.reason).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED');
      expect(!d.accept && d.reason).toContain(`${file}:1`);
      expect(readFileSync(file, 'utf8').split('\n')).toHaveLength(2); // nothing appended
    }
  });

  test('accept-new appends an unknown key, off accepts anything without reading', async () => {
    const file = path.join(dir, `kh-new-${Math.random()}`);
    const d = await (await prepareHostKeyCheck(opts(file, 'accept-new'))).verify(ed);
    expect(d).toEqual({ accept: true, appended: true });
    expect(readFileSync(file, 'utf8')).toBe(`[10.0.0.1]:2222 ssh-ed25519 ${ed.toString('base64')}\n`);
    const off = await prepareHostKeyCheck(opts(file, 'off'));
    expect(await off.verify(blob('ecdsa-sha2-nistp256', 99))).toEqual({ accept: true, appended: false });
  });

  test('revoked keys are refused as a security failure', async () => {
    const file = path.join(dir, 'revoked');
    writeFileSync(file, `@revoked * ssh-ed25519 ${ed.toString('base64')}\n[10.0.0.1]:2222 ssh-ed25519 ${ed.toString('base64')}\n`);
    const d = await (await prepareHostKeyCheck(opts(file, 'accept-new'))).verify(ed);
    expect(!d.accept && d.kind).toBe('hostkey-changed');
    expect(!d.accept && d.reason).toMatch(/REVOKED/);
  });

  test('accept-new refuses a key of a new type for a host known by another type, and records nothing', async () => {
    const file = known(); // the host is known by its ecdsa key
    const d = await (await prepareHostKeyCheck(opts(file, 'accept-new'))).verify(ed);
    expect(d.accept).toBe(false);
    expect(!d.accept && d.kind).toBe('hostkey-changed');
    expect(!d.accept && d.reason).toMatch(
      /^host key for \[10\.0\.0\.1\]:2222: it presented ED25519 key SHA256:\S+ but known_hosts has only keys of other types \(ecdsa-sha2-nistp256 at .*:1\)/,
    );
    expect(!d.accept && d.reason).toContain('ssh-keyscan -t ed25519 -p 2222 10.0.0.1');
    expect(readFileSync(file, 'utf8').split('\n')).toHaveLength(2); // nothing appended
  });

  test.each([
    ['one store', true],
    ['two stores', false],
  ])(
    'accept-new, two first connections at once with different keys (%s): one recorded, the other refused as changed',
    async (_, shared) => {
      const file = path.join(dir, `race-${shared}`);
      const s1 = new KnownHostsStore([file]);
      const s2 = shared ? s1 : new KnownHostsStore([file]);
      // Both read known_hosts before either key arrives, as two connections opened together do.
      const c1 = await prepareHostKeyCheck({ ...opts(file, 'accept-new'), store: s1 });
      const c2 = await prepareHostKeyCheck({ ...opts(file, 'accept-new'), store: s2 });
      const other = blob('ssh-ed25519', 10);
      const [d1, d2] = await Promise.all([c1.verify(ed), c2.verify(other)]);
      expect([d1.accept, d2.accept].filter(Boolean)).toHaveLength(1);
      const refused = d1.accept ? d2 : d1;
      expect(!refused.accept && refused.kind).toBe('hostkey-changed');
      expect(!refused.accept && refused.reason).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED');
      const winner = d1.accept ? ed : other;
      expect(readFileSync(file, 'utf8')).toBe(`[10.0.0.1]:2222 ssh-ed25519 ${winner.toString('base64')}\n`);
      // The same key again (a second connection to the same host) is simply known.
      expect(await (await prepareHostKeyCheck({ ...opts(file, 'accept-new'), store: s2 })).verify(winner)).toEqual({
        accept: true,
        appended: false,
      });
    },
  );
});
