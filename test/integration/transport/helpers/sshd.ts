/**
 * A real OpenSSH sshd for integration tests: own temp dir, config, host keys (ed25519, ecdsa, rsa),
 * authorized_keys and pid file, listening on loopback only at a random free port.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export type KeyType = 'ed25519' | 'ecdsa' | 'rsa';

/** Creates a key pair with ssh-keygen; returns the private key path. */
export function keygen(file: string, type: KeyType, passphrase = ''): string {
  const bits = type === 'rsa' ? ['-b', '2048'] : [];
  // -a 4: few KDF rounds keep encrypted-key tests fast (the default 16 costs seconds in pure JS).
  execFileSync('ssh-keygen', ['-q', '-t', type, ...bits, '-a', '4', '-N', passphrase, '-C', 'fleet-test', '-f', file], {
    stdio: 'ignore',
  });
  return file;
}

/** The `type base64` part of a .pub file. */
export function publicKeyOf(privateKeyFile: string): string {
  const [type, b64] = readFileSync(`${privateKeyFile}.pub`, 'utf8').trim().split(/\s+/);
  return `${type} ${b64}`;
}

/** A free TCP port on the address (tiny race window between close and sshd's bind). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export interface Sshd {
  readonly dir: string;
  readonly port: number;
  readonly addresses: readonly string[];
  /** Private host key paths by type (public key next to each as .pub). */
  readonly hostKeys: Readonly<Record<KeyType, string>>;
  readonly authorizedKeysFile: string;
  authorize(publicKeyLine: string): void;
  /** Everything sshd logged so far (LogLevel VERBOSE, -e). */
  log(): string;
  /** Count of successful authentications so far (one per TCP connection that logged in). */
  acceptedLogins(): number;
  stop(): Promise<void>;
}

export interface SshdOptions {
  readonly addresses?: readonly string[];
  readonly extraConfig?: readonly string[];
  readonly hostKeyTypes?: readonly KeyType[];
}

/** Starts sshd in the foreground (-D -e) and resolves once it is listening. */
export async function startSshd(options: SshdOptions = {}): Promise<Sshd> {
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // privilege separation directory
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-transport-sshd-'));
  chmodSync(dir, 0o755); // a non-root login user must be able to read authorized_keys
  const addresses = options.addresses ?? ['127.0.0.1'];
  const port = await freePort(addresses[0]);
  const types = options.hostKeyTypes ?? ['ed25519', 'ecdsa', 'rsa'];
  const hostKeys = {} as Record<KeyType, string>;
  for (const t of types) hostKeys[t] = keygen(path.join(dir, `ssh_host_${t}_key`), t);
  const authorizedKeysFile = path.join(dir, 'authorized_keys');
  writeFileSync(authorizedKeysFile, '', { mode: 0o644 });
  const config = [
    `Port ${port}`,
    ...addresses.map((a) => `ListenAddress ${a}`),
    ...types.map((t) => `HostKey ${hostKeys[t]}`),
    `PidFile ${path.join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${authorizedKeysFile}`,
    'UsePAM no',
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'StrictModes no',
    'LogLevel VERBOSE',
    'MaxStartups 500',
    'MaxSessions 64',
    'MaxAuthTries 10',
    ...(options.extraConfig ?? []),
  ].join('\n');
  const configFile = path.join(dir, 'sshd_config');
  writeFileSync(configFile, `${config}\n`, { mode: 0o600 });

  // Own mount namespace with an empty /root: sshd runs each command through root's shell, and bash
  // sources ~/.bashrc for SSH commands; the machine's own (pyenv on a developer box: ~0.5 s of CPU)
  // must not be part of every exec these tests time. unshare+exec keep the child's PID sshd's.
  const child: ChildProcess = spawn(
    'unshare',
    [
      '--mount',
      '--propagation',
      'private',
      'sh',
      '-c',
      'mount -t tmpfs -o size=1m,mode=700 fleet-test-root /root && exec "$@"',
      'sshd-launch',
      '/usr/sbin/sshd',
      '-D',
      '-e',
      '-f',
      configFile,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => (log += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Safety net: if a hook timed out and afterAll never saw this sshd, it still dies with the worker.
  const onWorkerExit = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onWorkerExit);

  await new Promise<void>((resolve, reject) => {
    const deadline = setTimeout(() => {
      clearInterval(poll);
      onWorkerExit();
      reject(new Error(`sshd did not start: ${log}`));
    }, 10_000);
    const poll = setInterval(() => {
      if (log.includes('Server listening on')) {
        clearInterval(poll);
        clearTimeout(deadline);
        resolve();
      } else if (child.exitCode !== null) {
        clearInterval(poll);
        clearTimeout(deadline);
        reject(new Error(`sshd exited: ${log}`));
        onWorkerExit();
      }
    }, 20);
  });

  return {
    dir,
    port,
    addresses,
    hostKeys,
    authorizedKeysFile,
    authorize(line) {
      writeFileSync(authorizedKeysFile, `${readFileSync(authorizedKeysFile, 'utf8')}${line}\n`);
    },
    log: () => log,
    acceptedLogins: () => (log.match(/Accepted publickey for /g) ?? []).length,
    async stop() {
      process.removeListener('exit', onWorkerExit);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
