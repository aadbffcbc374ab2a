/** Shared setup for SSH transport tests: an sshd, a client key, a known_hosts file, and specs. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConnectionSpec } from '../../../../src/core/inventory.js';
import type { ConnectOptions } from '../../../../src/transport/types.js';
import { keygen, publicKeyOf, startSshd, type KeyType, type Sshd, type SshdOptions } from './sshd.js';

export interface SshFixture {
  readonly sshd: Sshd;
  /** Scratch dir for keys and known_hosts files (removed by cleanup). */
  readonly dir: string;
  readonly clientKey: string;
  /** `type base64` of one of the server's host keys. */
  hostKey(type: KeyType): string;
  /** Writes a known_hosts file with the given lines and returns its path. */
  knownHosts(name: string, lines: readonly string[]): string;
  spec(overrides?: Partial<ConnectionSpec>): ConnectionSpec;
  options(overrides?: Partial<ConnectOptions>): ConnectOptions;
  cleanup(): Promise<void>;
}

export async function sshFixture(sshdOptions: SshdOptions = {}): Promise<SshFixture> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-transport-client-'));
  const sshd = await startSshd(sshdOptions).catch((err: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  });
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeDir); // safety net, see startSshd
  const clientKey = keygen(path.join(dir, 'id_ed25519'), 'ed25519');
  sshd.authorize(publicKeyOf(clientKey));
  const address = sshd.addresses[0] ?? '127.0.0.1';
  const fx: SshFixture = {
    sshd,
    dir,
    clientKey,
    hostKey: (type) => publicKeyOf(sshd.hostKeys[type]),
    knownHosts(name, lines) {
      const file = path.join(dir, name);
      writeFileSync(file, lines.map((l) => `${l}\n`).join(''), { mode: 0o600 });
      return file;
    },
    spec: (overrides = {}) => ({
      name: 'hv-test',
      connection: 'ssh',
      address,
      port: sshd.port,
      user: 'root',
      privateKeyFile: clientKey,
      proxyJump: undefined,
      become: false,
      becomeUser: undefined,
      becomePassword: undefined,
      ...overrides,
    }),
    options: (overrides = {}) => ({
      connectTimeoutMs: 30_000, // generous: the shared test machine can be very loaded
      commandTimeoutMs: 20_000,
      keepaliveIntervalMs: 0,
      // default: the host known by its first host key, as a [host]:port entry
      knownHostsFiles: overrides.knownHostsFiles ?? [
        fx.knownHosts('known_hosts', [`[${address}]:${sshd.port} ${publicKeyOf(Object.values(sshd.hostKeys)[0] ?? '')}`]),
      ],
      hostKeyMode: 'strict',
      ...overrides,
    }),
    async cleanup() {
      await sshd.stop();
      process.removeListener('exit', removeDir);
      removeDir();
    },
  };
  return fx;
}
