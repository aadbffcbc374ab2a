/**
 * One connection per host for the whole run, opened lazily on first use and shared by every step.
 * A failed connect is remembered, so a host is dialled once and every later step sees the same reason.
 */
import type { ConnectionSpec } from '../core/inventory.js';
import type { Connection, ConnectOptions, Transport } from '../transport/types.js';

export interface Transports {
  readonly ssh: Transport;
  readonly local: Transport;
}

export class ConnectionPool {
  readonly #transports: Transports;
  readonly #options: ConnectOptions;
  readonly #open = new Map<string, Promise<Connection>>();
  /** Connections being closed in the background (reconnect), awaited by closeAll. */
  readonly #closing = new Set<Promise<void>>();

  constructor(transports: Transports, options: ConnectOptions) {
    this.#transports = transports;
    this.#options = options;
  }

  /** The host's connection; rejects with UnreachableError (the same one on every call). */
  get(spec: ConnectionSpec): Promise<Connection> {
    let conn = this.#open.get(spec.name);
    if (!conn) {
      const transport = spec.connection === 'local' ? this.#transports.local : this.#transports.ssh;
      conn = transport.connect(spec, this.#options);
      // Avoid an unhandled rejection when nobody awaits this promise again.
      conn.catch(() => undefined);
      this.#open.set(spec.name, conn);
    }
    return conn;
  }

  /** Closes one host's connection (e.g. when it is done) to keep file descriptors bounded at scale; closeAll() awaits it too. */
  async release(name: string): Promise<void> {
    const conn = this.#open.get(name);
    this.#open.delete(name);
    if (!conn) return;
    const closing = conn.then((c) => c.close()).catch(() => undefined);
    this.#closing.add(closing);
    void closing.finally(() => this.#closing.delete(closing));
    await closing;
  }

  /**
   * Dials the host anew and closes the old connection in the background (bridge remediation must
   * verify over a NEW connection, never the old one, which the change may have cut).
   */
  async reconnect(spec: ConnectionSpec): Promise<Connection> {
    const old = this.#open.get(spec.name);
    this.#open.delete(spec.name);
    if (old) {
      // Not awaited: the old connection may be dead (the change cut it), and closing a dead one
      // waits for a timeout; the new one is dialled meanwhile.
      const closing = old.then((c) => c.close()).catch(() => undefined);
      this.#closing.add(closing);
      void closing.finally(() => this.#closing.delete(closing));
    }
    return this.get(spec);
  }

  async closeAll(): Promise<void> {
    const names = [...this.#open.keys()];
    await Promise.all([...names.map((n) => this.release(n)), ...this.#closing]);
    await Promise.all([this.#transports.ssh.close(), this.#transports.local.close()]);
  }
}
