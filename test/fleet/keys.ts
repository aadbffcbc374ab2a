/**
 * ed25519 key pairs in OpenSSH's own formats, generated in-process (node:crypto) so a thousand host
 * keys cost milliseconds, not a thousand ssh-keygen runs. (ssh2's generator was not used: it writes a
 * 31-byte public key, which sshd rejects, whenever the key's first byte is zero.)
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';

function sshString(b: Buffer | string): Buffer {
  const body = typeof b === 'string' ? Buffer.from(b) : b;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

export interface OpenSshKeyPair {
  /** Unencrypted "-----BEGIN OPENSSH PRIVATE KEY-----" file content. */
  private: string;
  /** authorized_keys / known_hosts form: "ssh-ed25519 AAAA… comment". */
  public: string;
}

/** A fresh ed25519 key pair in OpenSSH formats (PROTOCOL.key, cipher "none"). */
export function ed25519KeyPair(comment: string): OpenSshKeyPair {
  // DER straight from the generator: Node 20's KeyObject JWK export can deadlock when a GC runs
  // during it (seen on 20.20 after ~1000 keys). PKCS#8 / SPKI for Ed25519 end with the 32-byte seed / key.
  const { privateKey, publicKey } = generateKeyPairSync('ed25519', {
    privateKeyEncoding: { format: 'der', type: 'pkcs8' },
    publicKeyEncoding: { format: 'der', type: 'spki' },
  });
  const seed = privateKey.subarray(privateKey.length - 32);
  const pub = publicKey.subarray(publicKey.length - 32);
  const pubBlob = Buffer.concat([sshString('ssh-ed25519'), sshString(pub)]);
  const check = randomBytes(4).readUInt32BE();
  let priv = Buffer.concat([u32(check), u32(check), pubBlob, sshString(Buffer.concat([seed, pub])), sshString(comment)]);
  const pad = (8 - (priv.length % 8)) % 8;
  priv = Buffer.concat([priv, Buffer.from(Array.from({ length: pad }, (_, i) => i + 1))]);
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0'),
    sshString('none'),
    sshString('none'),
    sshString(''),
    u32(1),
    sshString(pubBlob),
    sshString(priv),
  ]).toString('base64');
  const lines = body.match(/.{1,70}/g) ?? [];
  return {
    private: ['-----BEGIN OPENSSH PRIVATE KEY-----', ...lines, '-----END OPENSSH PRIVATE KEY-----', ''].join('\n'),
    public: `ssh-ed25519 ${pubBlob.toString('base64')} ${comment}`,
  };
}
