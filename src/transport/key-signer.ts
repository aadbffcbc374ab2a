/**
 * ssh2 signs each user-auth request with the key's PEM text, so Node parses the PEM again for every
 * connection: ~0.35 ms per ed25519 signature where signing with a parsed KeyObject takes ~0.03 ms.
 * At thousands of hosts per run that is the largest avoidable cost of a handshake. This wraps a
 * parsed key so that it signs with a KeyObject made once; everything else (type, public blob,
 * verification) is the key's own.
 */
import { createPrivateKey, sign as cryptoSign, type KeyObject } from 'node:crypto';
import type { ParsedKey } from 'ssh2';

/**
 * The hash each key type signs with when ssh2 does not name one (RFC 8709, RFC 5656). RSA is left
 * out: ssh2 names its hash (rsa-sha2-256/512) when the server supports one, and otherwise the
 * key's own signing (SHA-1) is used unchanged.
 */
const DEFAULT_HASH: Readonly<Record<string, string | null>> = {
  'ssh-ed25519': null,
  'ecdsa-sha2-nistp256': 'sha256',
  'ecdsa-sha2-nistp384': 'sha384',
  'ecdsa-sha2-nistp521': 'sha512',
};

/** `key`, signing with a KeyObject parsed once. A key Node cannot load as a KeyObject is returned as it is. */
export function withCachedSigner(key: ParsedKey): ParsedKey {
  const pem = key.getPrivatePEM();
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey(pem);
  } catch {
    return key;
  }
  const own = key.sign.bind(key);
  const sign: ParsedKey['sign'] = (data, algo) => {
    const hash = algo ?? DEFAULT_HASH[key.type];
    if (hash === undefined) return own(data, algo);
    try {
      return cryptoSign(hash, typeof data === 'string' ? Buffer.from(data) : data, keyObject);
    } catch (err) {
      // ssh2's own sign() reports a failure by returning the Error, and its callers check for that.
      return err as Buffer;
    }
  };
  // ssh2 recognises a parsed key by properties the wrapper inherits from it.
  return Object.create(key, { sign: { value: sign } }) as ParsedKey;
}
