/**
 * One connection per host for the whole run, opened lazily on first use and shared by every step.
 * A failed connect is remembered, so a host is dialled once and every later step sees the same reason.
 * With a HandshakeGate, SSH dials go through it (adaptive concurrency; retries after overload
 * timeouts happen inside one dial, so the pool's "dialled once" still holds for its callers).
 */
import type { ConnectionSpec } from '../core/inventory.js';
import type { Connection, ConnectOptions, Transport } from '../transport/types.js';
import type { ConcurrencyReport } from './events.js';
import type { HandshakeGate } from './handshake-gate.js';

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
  readonly #gate: HandshakeGate | undefined;

  constructor(transports: Transports, options: ConnectOptions, gate?: HandshakeGate) {
    this.#transports = transports;
    this.#options = options;
    this.#gate = gate;
  }

  /** The adaptive window's story, or undefined when --forks is fixed (no gate). */
  concurrency(): ConcurrencyReport | undefined {
    return this.#gate?.report();
  }

  /** The run is interrupted: dials waiting for a handshake slot reject instead of starting. */
  abortWaiting(): void {
    this.#gate?.abortWaiting();
  }

  /** How long the host's last dial waited for a handshake slot, ms (0 without a gate); asked once. */
  takeWaitMs(name: string): number {
    return this.#gate?.takeWaitMs(name) ?? 0;
  }

  /** The host's connection; rejects with UnreachableError (the same one on every call). */
  get(spec: ConnectionSpec): Promise<Connection> {
    let conn = this.#open.get(spec.name);
    if (!conn) {
      conn = this.#dial(spec);
      // Avoid an unhandled rejection when nobody awaits this promise again.
      conn.catch(() => undefined);
      this.#open.set(spec.name, conn);
    }
    return conn;
  }

  #dial(spec: ConnectionSpec): Promise<Connection> {
    if (spec.connection === 'local') return this.#transports.local.connect(spec, this.#options);
    const connect = () => this.#transports.ssh.connect(spec, this.#options);
    return this.#gate ? this.#gate.dial(spec.name, connect) : connect();
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
