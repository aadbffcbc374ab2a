/**
 * OpenSSH known_hosts format, as pure functions: parse lines, match host patterns (plain, wildcard,
 * negated, `[host]:port`, hashed `|1|salt|hmac`), decide whether a presented key is known, new,
 * changed or revoked, and format lines to append. File I/O lives in known-hosts-store.ts.
 *
 * `@cert-authority` lines are parsed but ignored: host certificates are not supported, so a host
 * that is only trusted through a CA is treated as unknown.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';

export interface KnownHostEntry {
  readonly file: string;
  /** 1-based line number, for messages. */
  readonly line: number;
  readonly marker: 'revoked' | 'cert-authority' | undefined;
  /** The host field as written: comma-separated patterns, or one `|1|salt|hash`. */
  readonly hosts: string;
  /** Key type read from the key blob itself (e.g. `ssh-ed25519`, `ssh-rsa`). */
  readonly keyType: string;
  /** The raw public key blob (what the server presents during key exchange). */
  readonly key: Buffer;
}

/** Parses known_hosts text; lines that are not valid entries are skipped, like OpenSSH does. */
export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const fields = raw.trim().split(/\s+/);
    if (fields[0] === undefined || fields[0] === '' || fields[0].startsWith('#')) return;
    let marker: KnownHostEntry['marker'];
    if (fields[0].startsWith('@')) {
      const m = fields.shift();
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else return; // unknown marker: OpenSSH ignores the line
    }
    const [hosts, , b64] = fields;
    if (hosts === undefined || b64 === undefined) return;
    const key = Buffer.from(b64, 'base64');
    const keyType = keyTypeOf(key);
    if (keyType === undefined) return;
    entries.push({ file, line: i + 1, marker, hosts, keyType, key });
  });
  return entries;
}

/** The name OpenSSH looks up: `host` on port 22, `[host]:port` otherwise. Lower-cased. */
export function knownHostsName(host: string, port: number): string {
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}

/** The key type string at the start of an SSH public key blob, or undefined if malformed. */
export function keyTypeOf(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const len = blob.readUInt32BE(0);
  if (len === 0 || len > 64 || 4 + len > blob.length) return undefined;
  const type = blob.subarray(4, 4 + len).toString('latin1');
  return /^[a-z0-9@.-]+$/.test(type) ? type : undefined;
}

/** `SHA256:…` fingerprint exactly as `ssh-keygen -lf` prints it (base64, no padding). */
export function fingerprintSha256(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** Short key type label as OpenSSH prints it: ED25519, ECDSA, RSA, DSA. */
export function keyTypeLabel(keyType: string): string {
  if (keyType === 'ssh-ed25519') return 'ED25519';
  if (keyType.startsWith('ecdsa-')) return 'ECDSA';
  if (keyType === 'ssh-rsa') return 'RSA';
  if (keyType === 'ssh-dss') return 'DSA';
  return keyType;
}

/** Does a known_hosts host field match the lookup name (from knownHostsName)? */
export function hostFieldMatches(hosts: string, name: string): boolean {
  if (hosts.startsWith('|1|')) return hashedMatches(hosts, name);
  let positive = false;
  for (const pattern of hosts.toLowerCase().split(',')) {
    if (pattern.startsWith('!')) {
      // A matching negated pattern rules the whole line out, whatever else matches.
      if (wildcardMatch(pattern.slice(1), name)) return false;
    } else if (wildcardMatch(pattern, name)) {
      positive = true;
    }
  }
  return positive;
}

/** `|1|base64(salt)|base64(HMAC-SHA1(key=salt, data=name))`, as written by HashKnownHosts. */
export function hashHostName(name: string, salt: Buffer = randomBytes(20)): string {
  const mac = createHmac('sha1', salt).update(name).digest('base64');
  return `|1|${salt.toString('base64')}|${mac}`;
}

function hashedMatches(field: string, name: string): boolean {
  const [, , salt, mac] = field.split('|');
  if (salt === undefined || mac === undefined) return false;
  return hashHostName(name, Buffer.from(salt, 'base64')) === field;
}

/** OpenSSH match_pattern: `*` any run of characters, `?` exactly one. */
function wildcardMatch(pattern: string, name: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern === name;
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 's').test(name);
}

/** One known_hosts line for `name` (from knownHostsName), plain or hashed. */
export function formatKnownHostsLine(name: string, blob: Buffer, hashed: boolean): string {
  const type = keyTypeOf(blob) ?? 'unknown';
  return `${hashed ? hashHostName(name) : name} ${type} ${blob.toString('base64')}`;
}

export type HostKeyVerdict =
  | { readonly status: 'known'; readonly entry: KnownHostEntry }
  | { readonly status: 'unknown'; readonly otherTypes: readonly string[]; readonly others: readonly KnownHostEntry[] }
  | { readonly status: 'changed'; readonly expected: readonly KnownHostEntry[] }
  | { readonly status: 'revoked'; readonly entry: KnownHostEntry };

/**
 * OpenSSH's rule: the key is known if ANY entry of the same type matches it; it has CHANGED if the
 * host has entries of that type but none matches; keys of other types only make it new (unknown;
 * accept-new then refuses it, see host-key-check.ts).
 */
export function checkHostKey(entries: readonly KnownHostEntry[], name: string, blob: Buffer): HostKeyVerdict {
  const type = keyTypeOf(blob);
  const forHost = entries.filter((e) => e.marker !== 'cert-authority' && hostFieldMatches(e.hosts, name));
  const revoked = forHost.find((e) => e.marker === 'revoked' && e.key.equals(blob));
  if (revoked) return { status: 'revoked', entry: revoked };
  const sameType = forHost.filter((e) => e.marker === undefined && e.keyType === type);
  const match = sameType.find((e) => e.key.equals(blob));
  if (match) return { status: 'known', entry: match };
  if (sameType.length > 0) return { status: 'changed', expected: sameType };
  const others = forHost.filter((e) => e.marker === undefined);
  return { status: 'unknown', otherTypes: [...new Set(others.map((e) => e.keyType))], others };
}

/** Key types (blob types) known for the name, in file order. */
export function knownKeyTypes(entries: readonly KnownHostEntry[], name: string): string[] {
  const types = entries.filter((e) => e.marker === undefined && hostFieldMatches(e.hosts, name)).map((e) => e.keyType);
  return [...new Set(types)];
}

/** Host key algorithms that produce a key of each blob type (RSA keys sign with SHA-2 too). */
const ALGORITHMS_FOR_TYPE: Readonly<Record<string, readonly string[]>> = {
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

/**
 * Like OpenSSH, ask first for the algorithms whose keys we already know for this host, so a host
 * known by its ed25519 key is not asked for (and then "changed" by) its ecdsa key.
 */
export function preferredHostKeyAlgorithms(
  knownTypes: readonly string[],
  defaults: readonly string[],
  supported: readonly string[] = defaults,
): string[] {
  const preferred: string[] = [];
  for (const algo of defaults) {
    if (knownTypes.some((t) => (ALGORITHMS_FOR_TYPE[t] ?? [t]).includes(algo))) preferred.push(algo);
  }
  // A known type outside the defaults (e.g. ssh-dss) is still worth asking for, if supported at all.
  for (const t of knownTypes) {
    for (const algo of ALGORITHMS_FOR_TYPE[t] ?? [t]) {
      if (!preferred.includes(algo) && supported.includes(algo)) preferred.push(algo);
    }
  }
  return [...preferred, ...defaults.filter((a) => !preferred.includes(a))];
}
