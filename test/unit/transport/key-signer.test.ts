import ssh2, { type ParsedKey } from 'ssh2';
import { describe, expect, it } from 'vitest';
import { withCachedSigner } from '../../../src/transport/key-signer.js';

function parsed(type: 'ed25519' | 'rsa' | 'ecdsa', bits?: number): ParsedKey {
  const pair = ssh2.utils.generateKeyPairSync(type, bits === undefined ? {} : { bits });
  const key = ssh2.utils.parseKey(pair.private);
  if (key instanceof Error || Array.isArray(key)) throw new Error('test key did not parse');
  return key;
}

const data = Buffer.from('session id + userauth request: the bytes ssh2 asks the key to sign');

describe('withCachedSigner', () => {
  it('signs ed25519 exactly as ssh2 does (ed25519 signatures are deterministic)', () => {
    const key = parsed('ed25519');
    const fast = withCachedSigner(key);
    expect(fast).not.toBe(key);
    expect(fast.sign(data).equals(key.sign(data))).toBe(true);
  });

  it('signs RSA with the hash ssh2 names, and falls back to the key itself when it names none', () => {
    const key = parsed('rsa', 2048);
    const fast = withCachedSigner(key);
    expect(fast.sign(data, 'sha256').equals(key.sign(data, 'sha256'))).toBe(true);
    expect(fast.sign(data, 'sha512').equals(key.sign(data, 'sha512'))).toBe(true);
    expect(fast.sign(data).equals(key.sign(data))).toBe(true);
  });

  it.each([256, 384, 521])('makes ECDSA P-%i signatures that the key verifies with its own hash', (bits) => {
    const key = parsed('ecdsa', bits);
    const sig = withCachedSigner(key).sign(data);
    expect(sig).toBeInstanceOf(Buffer);
    expect(key.verify(data, sig)).toBe(true);
    expect(key.verify(Buffer.from('other bytes'), sig)).toBe(false);
  });

  it('stays a parsed key to ssh2: same type, same public blob, not parsed again', () => {
    const key = parsed('ed25519');
    const fast = withCachedSigner(key);
    expect(ssh2.utils.parseKey(fast)).toBe(fast);
    expect(fast.type).toBe('ssh-ed25519');
    expect(fast.getPublicSSH().equals(key.getPublicSSH())).toBe(true);
    expect(fast.isPrivateKey()).toBe(true);
  });

  it('returns an Error (as ssh2 does) for a hash Node does not know, instead of throwing', () => {
    const fast = withCachedSigner(parsed('ed25519'));
    expect(fast.sign(data, 'no-such-hash')).toBeInstanceOf(Error);
  });
});
