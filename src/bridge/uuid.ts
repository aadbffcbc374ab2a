import { createHash } from 'node:crypto';

/** fleet's UUID namespace for name-based (RFC 4122 v5) connection UUIDs. */
const NAMESPACE = Buffer.from('7c1e3f0a9b4d4c2e8f61d2a5b3c4e5f6', 'hex');

/**
 * Name-based UUID (v5, SHA-1): the same name always gives the same UUID, so re-rendering a
 * NetworkManager profile is byte-identical and NM sees an update, not a second profile.
 */
export function uuidFromName(name: string): string {
  const h = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
