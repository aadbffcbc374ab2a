/**
 * Which private key files to offer: the host's key file when one is configured (it must exist),
 * otherwise OpenSSH's default identities that exist in ~/.ssh. Parsing and decrypting happens in
 * ssh.ts (the only file that uses ssh2 at runtime).
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expandHome } from './known-hosts-store.js';

export interface KeyFile {
  readonly path: string;
  readonly data: Buffer;
  /** Configured for the host (errors are fatal) rather than a default identity (errors skip it). */
  readonly explicit: boolean;
}

/** OpenSSH's default identity files, in the order it tries them (DSA is long gone). */
export const DEFAULT_IDENTITIES = ['id_ed25519', 'id_ecdsa', 'id_rsa'] as const;

/** Reads the key files to try. Throws Error with a one-line reason when the configured key is unreadable. */
export async function readKeyFiles(explicit: string | undefined, home = os.homedir()): Promise<KeyFile[]> {
  if (explicit !== undefined) {
    const file = path.resolve(expandHome(explicit, home));
    try {
      return [{ path: file, data: await readFile(file), explicit: true }];
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new Error(`private key file ${file}: ${code === 'ENOENT' ? 'not found' : (err as Error).message}`);
    }
  }
  const found: KeyFile[] = [];
  for (const name of DEFAULT_IDENTITIES) {
    const file = path.join(home, '.ssh', name);
    try {
      found.push({ path: file, data: await readFile(file), explicit: false });
    } catch {
      // absent or unreadable default identities are simply not offered, as with OpenSSH
    }
  }
  return found;
}

/** The login name to use when the inventory gives none: the controller's user, like ssh. */
export function defaultUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? 'root';
  }
}
