import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  checkHostKey,
  fingerprintSha256,
  formatKnownHostsLine,
  hashHostName,
  hostFieldMatches,
  keyTypeOf,
  knownHostsName,
  knownKeyTypes,
  parseKnownHosts,
  preferredHostKeyAlgorithms,
} from '../../../src/transport/known-hosts.js';

/** A syntactically valid SSH public key blob of the given type (content is random). */
function blob(type: string, seed: number): Buffer {
  const t = Buffer.from(type);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(t.length);
  const body = Buffer.alloc(32, seed);
  const blen = Buffer.alloc(4);
  blen.writeUInt32BE(body.length);
  return Buffer.concat([len, t, blen, body]);
}
const line = (hosts: string, b: Buffer, marker = ''): string =>
  `${marker}${marker ? ' ' : ''}${hosts} ${keyTypeOf(b)} ${b.toString('base64')}`;

const ED_A = blob('ssh-ed25519', 1);
const ED_B = blob('ssh-ed25519', 2);
const EC_A = blob('ecdsa-sha2-nistp256', 3);
const RSA_A = blob('ssh-rsa', 4);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-transport-kh-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseKnownHosts', () => {
  test('reads entries with markers and line numbers, skips comments and junk', () => {
    const text = [
      '# comment',
      '',
      line('hv01,10.0.0.1', ED_A),
      'garbage line',
      'hv02 ssh-ed25519 !!!notbase64',
      line('*', ED_B, '@revoked'),
      line('*.example', EC_A, '@cert-authority'),
      line('hv03', RSA_A, '@unknown-marker'),
      `  ${line('hv04', RSA_A)} trailing comment here`,
    ].join('\n');
    const entries = parseKnownHosts(text, '/kh');
    expect(entries.map((e) => [e.line, e.marker, e.hosts, e.keyType])).toEqual([
      [3, undefined, 'hv01,10.0.0.1', 'ssh-ed25519'],
      [6, 'revoked', '*', 'ssh-ed25519'],
      [7, 'cert-authority', '*.example', 'ecdsa-sha2-nistp256'],
      [9, undefined, 'hv04', 'ssh-rsa'],
    ]);
    expect(entries[0]?.key.equals(ED_A)).toBe(true);
    expect(entries[0]?.file).toBe('/kh');
  });
});

describe('host matching', () => {
  test('names: plain on port 22, [host]:port otherwise, lower-cased', () => {
    expect(knownHostsName('HV01.Example', 22)).toBe('hv01.example');
    expect(knownHostsName('127.0.0.1', 2222)).toBe('[127.0.0.1]:2222');
  });

  test('comma lists, wildcards and negation', () => {
    expect(hostFieldMatches('hv01,hv02', 'hv02')).toBe(true);
    expect(hostFieldMatches('HV01', 'hv01')).toBe(true);
    expect(hostFieldMatches('hv0?', 'hv07')).toBe(true);
    expect(hostFieldMatches('hv0?', 'hv10')).toBe(false);
    expect(hostFieldMatches('*.prod,!db*.prod', 'hv1.prod')).toBe(true);
    expect(hostFieldMatches('*.prod,!db*.prod', 'db1.prod')).toBe(false);
    expect(hostFieldMatches('!hv01', 'hv01')).toBe(false);
    expect(hostFieldMatches('!hv01', 'hv02')).toBe(false); // negation alone never matches
    expect(hostFieldMatches('hv01.prod', 'hv01xprod')).toBe(false); // dots are literal
  });

  test('a plain host entry does not match the same host on another port', () => {
    expect(hostFieldMatches('127.0.0.1', '[127.0.0.1]:2222')).toBe(false);
    expect(hostFieldMatches('[127.0.0.1]:2222', '[127.0.0.1]:2222')).toBe(true);
  });

  test('hashed names match what ssh-keygen -H writes', () => {
    const file = path.join(dir, 'hashed');
    writeFileSync(file, `${line('hv01.example', ED_A)}\n${line('[127.0.0.1]:2222', EC_A)}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    const entries = parseKnownHosts(readFileSync(file, 'utf8'), file);
    expect(entries.every((e) => e.hosts.startsWith('|1|'))).toBe(true);
    expect(entries[0] && hostFieldMatches(entries[0].hosts, 'hv01.example')).toBe(true);
    expect(entries[0] && hostFieldMatches(entries[0].hosts, 'hv02.example')).toBe(false);
    expect(entries[1] && hostFieldMatches(entries[1].hosts, '[127.0.0.1]:2222')).toBe(true);
    expect(entries[1] && hostFieldMatches(entries[1].hosts, '127.0.0.1')).toBe(false);
  });

  test('our hashed lines are understood by ssh-keygen -F', () => {
    const file = path.join(dir, 'ours');
    writeFileSync(file, `${formatKnownHostsLine('[10.1.2.3]:2200', ED_A, true)}\n`);
    const found = execFileSync('ssh-keygen', ['-F', '[10.1.2.3]:2200', '-f', file], { encoding: 'utf8' });
    expect(found).toContain('Host [10.1.2.3]:2200 found');
    expect(hashHostName('x', Buffer.alloc(20, 7))).toBe(hashHostName('x', Buffer.alloc(20, 7)));
    expect(hashHostName('x')).not.toBe(hashHostName('x')); // fresh salt each time
  });
});

describe('checkHostKey', () => {
  const entries = parseKnownHosts(
    [line('hv01', ED_A), line('hv01', EC_A), line('hv02', ED_A), line('hv02', ED_B), line('hv03', EC_A), line('*', RSA_A, '@revoked')].join(
      '\n',
    ),
    '/kh',
  );

  test('known when any key of the presented type matches', () => {
    expect(checkHostKey(entries, 'hv01', ED_A).status).toBe('known');
    expect(checkHostKey(entries, 'hv01', EC_A).status).toBe('known');
    expect(checkHostKey(entries, 'hv02', ED_B).status).toBe('known');
  });

  test('changed when keys of that type are known but none matches', () => {
    const v = checkHostKey(entries, 'hv01', ED_B);
    expect(v.status).toBe('changed');
    expect(v.status === 'changed' && v.expected.map((e) => e.line)).toEqual([1]);
  });

  test('unknown (not changed) when only other types are known', () => {
    expect(checkHostKey(entries, 'hv03', ED_A)).toMatchObject({ status: 'unknown', otherTypes: ['ecdsa-sha2-nistp256'] });
    expect(checkHostKey(entries, 'hv99', ED_A)).toEqual({ status: 'unknown', otherTypes: [], others: [] });
  });

  test('@revoked wins over everything', () => {
    const withRsa = [...entries, ...parseKnownHosts(line('hv01', RSA_A), '/kh2')];
    expect(checkHostKey(withRsa, 'hv01', RSA_A).status).toBe('revoked');
  });

  test('@cert-authority lines are ignored', () => {
    const ca = parseKnownHosts(line('*', ED_A, '@cert-authority'), '/kh');
    expect(checkHostKey(ca, 'hv01', ED_A).status).toBe('unknown');
  });
});

describe('algorithm preference', () => {
  const defaults = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  test('known types first, in default order, then the rest', () => {
    expect(preferredHostKeyAlgorithms(['ecdsa-sha2-nistp256'], defaults)).toEqual([
      'ecdsa-sha2-nistp256',
      'ssh-ed25519',
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-rsa',
    ]);
    expect(preferredHostKeyAlgorithms(['ssh-rsa'], defaults).slice(0, 3)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    expect(preferredHostKeyAlgorithms([], defaults)).toEqual(defaults);
  });
  test('a known type outside the defaults is asked for only if supported', () => {
    expect(preferredHostKeyAlgorithms(['ssh-dss'], defaults, [...defaults, 'ssh-dss'])[0]).toBe('ssh-dss');
    expect(preferredHostKeyAlgorithms(['sk-ssh-ed25519@openssh.com'], defaults)).toEqual(defaults);
  });
  test('knownKeyTypes lists the types known for a name', () => {
    const entries = parseKnownHosts([line('hv01', EC_A), line('hv01', ED_A), line('hv01', ED_B)].join('\n'), '/kh');
    expect(knownKeyTypes(entries, 'hv01')).toEqual(['ecdsa-sha2-nistp256', 'ssh-ed25519']);
  });
});

describe('fingerprints', () => {
  test('SHA256 fingerprint equals ssh-keygen -l', () => {
    const key = path.join(dir, 'fp_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key], { stdio: 'ignore' });
    const pub = readFileSync(`${key}.pub`, 'utf8').split(' ')[1] ?? '';
    const expected = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${key}.pub`], { encoding: 'utf8' }).split(' ')[1];
    expect(fingerprintSha256(Buffer.from(pub, 'base64'))).toBe(expected);
  });
  test('keyTypeOf rejects malformed blobs', () => {
    expect(keyTypeOf(Buffer.alloc(2))).toBeUndefined();
    expect(keyTypeOf(Buffer.from([0, 0, 0, 200, 1, 2]))).toBeUndefined();
  });
});
