/**
 * The SSH transport on ssh2 (the only file in fleet that uses ssh2 at runtime): one connection per
 * host for the whole run, host keys verified against known_hosts, key / agent authentication, and
 * jump hosts shared by every connection tunnelled through them.
 */
import type { Duplex } from 'node:stream';
import ssh2, { type AnyAuthMethod, type ClientChannel, type ConnectConfig, type ParsedKey } from 'ssh2';
import type { ConnectionSpec } from '../core/inventory.js';
import type { UnreachableKind } from '../core/result.js';
import type { ExitInfo, ProcessHandle } from './command-session.js';
import { classifyError, describeTarget, unreachable } from './errors.js';
import { prepareHostKeyCheck, type HostKeyDecision } from './host-key-check.js';
import { withCachedSigner } from './key-signer.js';
import { KnownHostsStore } from './known-hosts-store.js';
import { formatHop, parseProxyJump, type JumpHop } from './proxy-jump.js';
import { defaultUser, readKeyFiles, type KeyFile } from './ssh-auth.js';
import { SshConnection, type ChannelOpener } from './ssh-connection.js';
import { UnreachableError, type Connection, type ConnectOptions, type Transport } from './types.js';

// ssh2 is CommonJS: Node's ESM loader only exposes its default export (vitest hides this).
const { Client, utils } = ssh2;
type Client = InstanceType<typeof Client>;

/** ssh2's default host key algorithms (ed25519 first), and what it can verify at all. */
const DEFAULT_HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
] as const;
const SUPPORTED_HOST_KEY_ALGORITHMS = [...DEFAULT_HOST_KEY_ALGORITHMS, 'ssh-dss'];
const CLOSE_WAIT_MS = 2000;

export interface SshTransportOptions {
  /** Home directory for default identities (~/.ssh/id_*). Default: os.homedir(). */
  readonly homeDir?: string;
}

/** A Transport over SSH (ssh2). Create one per run; close() it at the end. */
export function createSshTransport(options: SshTransportOptions = {}): Transport {
  return new SshTransport(options);
}

/** Where to dial and as whom: a target host or a jump host. */
interface Endpoint {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly keyFile: string | undefined;
  /** A tunnel through a jump host, instead of a TCP connection. */
  readonly sock: Duplex | undefined;
}

class SshTransport implements Transport {
  readonly #home: string | undefined;
  readonly #stores = new Map<string, KnownHostsStore>();
  /** Decrypting a key costs (bcrypt KDF): done once per key file per run. */
  readonly #keys = new Map<string, ParsedKey | Error>();
  /** Key files read once per run (by configured path, '' for the default identities). */
  readonly #keyFiles = new Map<string, Promise<KeyFile[]>>();
  readonly #jumps = new Map<string, Promise<Client>>();

  constructor(options: SshTransportOptions) {
    this.#home = options.homeDir;
  }

  async connect(spec: ConnectionSpec, options: ConnectOptions): Promise<Connection> {
    const target = describeTarget(spec.name, spec.address, spec.port, spec.proxyJump);
    const user = spec.user ?? defaultUser();
    try {
      const sock = spec.proxyJump ? await this.#tunnel(spec, user, options) : undefined;
      const endpoint: Endpoint = { host: spec.address, port: spec.port, user, keyFile: spec.privateKeyFile, sock };
      const client = await this.#open(endpoint, options);
      const conn = new SshConnection(spec, target, options, channelOpener(client));
      client.on('error', (err: Error) => {
        const { kind, reason } = classifyError(err);
        conn.lost(kind, reason);
      });
      client.on('close', () => conn.lost('closed', 'connection closed by the host'));
      return conn;
    } catch (err) {
      const { kind, reason } = classifyError(err);
      throw unreachable(spec.name, target, kind, reason, err instanceof UnreachableError && err.tcpConnected);
    }
  }

  async close(): Promise<void> {
    const jumps = [...this.#jumps.values()];
    this.#jumps.clear();
    await Promise.all(
      jumps.map((p) =>
        p.then(
          (c) => endClient(c),
          () => undefined,
        ),
      ),
    );
  }

  /** A stream to spec.address:port through the (shared) jump host chain. */
  async #tunnel(spec: ConnectionSpec, user: string, options: ConnectOptions): Promise<Duplex> {
    let hops: JumpHop[];
    try {
      hops = parseProxyJump(spec.proxyJump ?? '');
    } catch (err) {
      throw new UnreachableError(spec.name, 'other', (err as Error).message);
    }
    if (hops.length === 0) throw new UnreachableError(spec.name, 'other', `invalid ProxyJump '${spec.proxyJump}'`);
    const jump = await this.#jumpClient(hops, user, spec.privateKeyFile, options);
    return forwardOut(jump, spec.address, spec.port, options.connectTimeoutMs);
  }

  /**
   * The connection to the last hop, opened once per run and shared by every target behind it.
   * A failure is remembered (all targets behind it fail alike); a jump lost later is dialled anew.
   */
  #jumpClient(hops: JumpHop[], user: string, keyFile: string | undefined, options: ConnectOptions): Promise<Client> {
    // Same hops, login names and key: same connection. (A hop without user@ logs in as the target's user.)
    const key = `${hops.map((h) => formatHop({ ...h, user: h.user ?? user })).join(',')}|${keyFile ?? ''}`;
    const cached = this.#jumps.get(key);
    if (cached) return cached;
    const last = hops[hops.length - 1] as JumpHop;
    const label = `jump host ${formatHop(last)}`;
    const opening = (async () => {
      try {
        const sock =
          hops.length > 1
            ? await forwardOut(
                await this.#jumpClient(hops.slice(0, -1), user, keyFile, options),
                last.host,
                last.port,
                options.connectTimeoutMs,
              )
            : undefined;
        const client = await this.#open({ host: last.host, port: last.port, user: last.user ?? user, keyFile, sock }, options);
        client.on('error', () => undefined);
        client.on('close', () => {
          if (this.#jumps.get(key) === opening) this.#jumps.delete(key);
        });
        return client;
      } catch (err) {
        const { kind, reason } = classifyError(err);
        throw new UnreachableError(label, kind, `${label}: ${reason}`);
      }
    })();
    this.#jumps.set(key, opening);
    return opening;
  }

  /** TCP (or tunnel) + handshake + host key check + authentication. Rejects with UnreachableError (reason only). */
  async #open(ep: Endpoint, options: ConnectOptions): Promise<Client> {
    const check = await prepareHostKeyCheck({
      mode: options.hostKeyMode,
      store: this.#store(options.knownHostsFiles),
      host: ep.host,
      port: ep.port,
      defaultAlgorithms: DEFAULT_HOST_KEY_ALGORITHMS,
      supportedAlgorithms: SUPPORTED_HOST_KEY_ALGORITHMS,
      hashKnownHosts: options.hashKnownHosts,
    });
    const auth = await this.#authMethods(ep, options);

    const client = new Client();
    client.on('error', () => undefined); // ssh2 may emit several errors; only the first one counts
    client.once('close', () => closedClients.add(client));
    // A timeout after TCP connected is a slow handshake (overload), not a host that never answered.
    let tcpConnected = false;
    client.once('connect', () => (tcpConnected = true));
    return new Promise<Client>((resolve, reject) => {
      let decision: HostKeyDecision | undefined;
      let settled = false;
      const fail = (kind: UnreachableKind, reason: string): void => {
        if (settled) return;
        settled = true;
        client.removeListener('ready', onReady);
        client.destroy();
        reject(new UnreachableError(ep.host, kind, reason, { tcpConnected }));
      };
      const onError = (err: Error & { level?: string }): void => {
        if (err.level === 'agent') return; // ssh2 goes on with the next key
        if (decision && !decision.accept) return fail(decision.kind, decision.reason);
        const c = classifyError(err);
        fail(c.kind, c.kind === 'auth' ? `authentication failed for user ${ep.user} (tried ${auth.tried})` : c.reason);
      };
      const onReady = (): void => {
        if (settled) return;
        settled = true;
        client.removeListener('error', onError);
        client.removeListener('close', onClose);
        resolve(client);
      };
      const onClose = (): void => {
        if (decision && !decision.accept) return fail(decision.kind, decision.reason);
        fail('closed', 'connection closed during the SSH handshake');
      };
      client.on('error', onError);
      client.once('close', onClose);
      client.once('ready', onReady);

      const config: ConnectConfig = {
        host: ep.host,
        port: ep.port,
        username: ep.user,
        authHandler: auth.methods,
        hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
          check.verify(key).then(
            (d) => {
              decision = d;
              verify(d.accept);
            },
            (err: Error) => {
              decision = { accept: false, kind: 'hostkey-unknown', reason: `cannot check the host key: ${err.message}` };
              verify(false);
            },
          );
        },
        algorithms: { serverHostKey: [...check.algorithms] as NonNullable<ConnectConfig['algorithms']>['serverHostKey'] },
        readyTimeout: options.connectTimeoutMs,
        keepaliveInterval: options.keepaliveIntervalMs,
        keepaliveCountMax: options.keepaliveCountMax ?? 3,
      };
      if (ep.sock) config.sock = ep.sock;
      try {
        client.connect(config);
      } catch (err) {
        fail('other', (err as Error).message);
      }
    });
  }

  /** Authentication attempts in order: the configured key, the agent, then default identities. */
  async #authMethods(ep: Endpoint, options: ConnectOptions): Promise<{ methods: AnyAuthMethod[]; tried: string }> {
    let files: KeyFile[];
    try {
      let reading = this.#keyFiles.get(ep.keyFile ?? '');
      if (!reading) {
        reading = readKeyFiles(ep.keyFile, this.#home);
        this.#keyFiles.set(ep.keyFile ?? '', reading);
      }
      files = await reading;
    } catch (err) {
      throw new UnreachableError(ep.host, 'auth', (err as Error).message);
    }
    const methods: AnyAuthMethod[] = [];
    const tried: string[] = [];
    const offer = (file: KeyFile): void => {
      const key = this.#parsedKey(file, options.passphrase);
      if (key instanceof Error) {
        if (file.explicit) throw new UnreachableError(ep.host, 'auth', key.message);
        return; // a default identity we cannot use (e.g. encrypted, no passphrase): skipped, like a declined prompt
      }
      methods.push({ type: 'publickey', username: ep.user, key });
      tried.push(`key ${file.path}`);
    };
    files.filter((f) => f.explicit).forEach(offer);
    if (options.agentSocket) {
      methods.push({ type: 'agent', username: ep.user, agent: options.agentSocket });
      tried.push('ssh-agent');
    }
    files.filter((f) => !f.explicit).forEach(offer);
    if (methods.length === 0) {
      throw new UnreachableError(
        ep.host,
        'auth',
        'no SSH credentials: no key file configured (ansible_ssh_private_key_file), no ssh-agent (SSH_AUTH_SOCK) and no usable ~/.ssh/id_ed25519, id_ecdsa or id_rsa',
      );
    }
    return { methods, tried: tried.join(', ') };
  }

  #parsedKey(file: KeyFile, passphrase: string | undefined): ParsedKey | Error {
    const cached = this.#keys.get(file.path);
    if (cached) return cached;
    const parsed = parsePrivateKey(file, passphrase);
    this.#keys.set(file.path, parsed);
    return parsed;
  }

  #store(files: readonly string[]): KnownHostsStore {
    const key = files.join('\0');
    let store = this.#stores.get(key);
    if (!store) {
      store = new KnownHostsStore(files);
      this.#stores.set(key, store);
    }
    return store;
  }
}

/** Parses (and decrypts) a private key; an Error with a one-line, actionable reason otherwise. */
function parsePrivateKey(file: KeyFile, passphrase: string | undefined): ParsedKey | Error {
  const parsed = utils.parseKey(file.data, passphrase);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (key instanceof Error || key === undefined) {
    const message = key instanceof Error ? key.message : 'no key found';
    if (passphrase === undefined && /encrypt|passphrase/i.test(message)) {
      return new Error(`private key ${file.path} is encrypted: give its passphrase in FLEET_SSH_PASSPHRASE (or load it into ssh-agent)`);
    }
    if (passphrase !== undefined && /integrity|decrypt|bad decrypt/i.test(message)) {
      return new Error(`cannot decrypt private key ${file.path}: wrong passphrase`);
    }
    return new Error(`cannot use private key ${file.path}: ${message}`);
  }
  if (!key.isPrivateKey()) return new Error(`${file.path} is not a private key`);
  return withCachedSigner(key);
}

/** Opens a direct-tcpip channel to host:port through `client`, within `timeoutMs`. */
function forwardOut(client: Client, host: string, port: number, timeoutMs: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new UnreachableError(host, 'timeout', 'timed out opening a tunnel through the jump host')),
      timeoutMs,
    );
    client.forwardOut('127.0.0.1', 0, host, port, (err, stream) => {
      clearTimeout(timer);
      if (!err) return resolve(stream);
      const msg = err.message;
      if (/refused/i.test(msg)) return reject(new UnreachableError(host, 'refused', 'connection refused (from the jump host)'));
      if (/prohibited/i.test(msg)) return reject(new UnreachableError(host, 'other', 'jump host refused to forward (AllowTcpForwarding?)'));
      return reject(new UnreachableError(host, 'other', `jump host could not connect: ${msg}`));
    });
  });
}

/** Adapts ssh2's exec channels to the transport-neutral ProcessHandle. */
function channelOpener(client: Client): ChannelOpener {
  return {
    openExec: (script) =>
      new Promise<ProcessHandle>((resolve, reject) => {
        try {
          client.exec(script, (err, channel) => (err ? reject(err) : resolve(processHandle(channel))));
        } catch (err) {
          // ssh2 throws "Not connected" when the socket is gone before its close event arrived.
          reject(new UnreachableError('', 'closed', `connection lost (${(err as Error).message})`));
        }
      }),
    end: () => endClient(client),
  };
}

function processHandle(channel: ClientChannel): ProcessHandle {
  let exit: ExitInfo = { code: null, signal: null };
  channel.on('exit', (code: number | null, signal?: string) => {
    exit = { code: typeof code === 'number' ? code : null, signal: signal ?? null };
  });
  const exited = new Promise<ExitInfo>((resolve) => channel.once('close', () => resolve(exit)));
  channel.on('error', () => undefined);
  return {
    stdout: channel,
    stderr: channel.stderr,
    write: (data) => {
      if (channel.writable) channel.write(data);
    },
    endInput: () => {
      if (channel.writable) channel.end();
    },
    kill: () => {
      // Honoured by OpenSSH >= 7.9 for non-root sessions; the remote `timeout` guard covers the rest.
      try {
        channel.signal('KILL');
      } catch {
        // channel already gone
      }
      channel.close();
    },
    exited,
  };
}

/** Clients whose connection has closed (ssh2 does not expose that state). */
const closedClients = new WeakSet<Client>();

function endClient(client: Client): Promise<void> {
  if (closedClients.has(client)) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.destroy();
      // ssh2's destroy() skips a socket that end() already half-closed (it checks `writable`), and a
      // peer that stopped answering never completes that close: the socket would hold the process
      // open until TCP gives up (seen: 10 s after a bridge change cut a host off). Destroy it here.
      const sock = (client as unknown as { _sock?: { destroyed?: boolean; destroy(): void } })._sock;
      if (sock && !sock.destroyed) sock.destroy();
      resolve();
    }, CLOSE_WAIT_MS);
    client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    client.end();
  });
}
