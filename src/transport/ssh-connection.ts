/**
 * One host's SSH connection for the whole run: every exec() opens its own channel on it, at most
 * `maxChannelsPerHost` at a time (sshd refuses channels beyond its MaxSessions). When the
 * connection is lost, every pending and later exec() rejects with the same UnreachableError.
 */
import { setMaxListeners } from 'node:events';
import pLimit, { type LimitFunction } from 'p-limit';
import type { ConnectionSpec } from '../core/inventory.js';
import type { CommandResult, UnreachableKind } from '../core/result.js';
import { runSession, type ProcessHandle } from './command-session.js';
import { closedByFleet, unreachable } from './errors.js';
import { planExec } from './exec-plan.js';
import { UnreachableError, type Connection, type ConnectOptions, type ExecOptions } from './types.js';

/** What the connection needs from the SSH client underneath (ssh.ts adapts ssh2's Client). */
export interface ChannelOpener {
  /** Opens an exec channel running `script`; rejects if the server refuses the channel. */
  openExec(script: string): Promise<ProcessHandle>;
  /** Ends the connection; resolves once it is closed (or after a short wait). */
  end(): Promise<void>;
}

/** The remote `timeout` guard kills at T; the local deadline follows this much later as a backstop. */
const REMOTE_GUARD_GRACE_MS = 1000;
const DEFAULT_MAX_CHANNELS = 8;

export class SshConnection implements Connection {
  readonly host: string;
  readonly #target: string;
  readonly #spec: ConnectionSpec;
  readonly #options: ConnectOptions;
  readonly #opener: ChannelOpener;
  readonly #lost = new AbortController();
  readonly #limit: LimitFunction;

  constructor(spec: ConnectionSpec, target: string, options: ConnectOptions, opener: ChannelOpener) {
    this.host = spec.name;
    this.#target = target;
    this.#spec = spec;
    this.#options = options;
    this.#opener = opener;
    this.#limit = pLimit(Math.max(1, options.maxChannelsPerHost ?? DEFAULT_MAX_CHANNELS));
    setMaxListeners(0, this.#lost.signal); // one listener per pending exec
  }

  /** Called by the transport when the underlying connection fails or closes. First call wins. */
  lost(kind: UnreachableKind, reason: string): void {
    this.#lose(unreachable(this.host, this.#target, kind, reason));
  }

  #lose(reason: UnreachableError): void {
    if (this.#lost.signal.aborted) return;
    this.#lost.abort(reason);
    this.#limit.clearQueue();
  }

  get isLost(): boolean {
    return this.#lost.signal.aborted;
  }

  exec(command: string, opts: ExecOptions = {}): Promise<CommandResult> {
    if (this.#lost.signal.aborted) return Promise.reject(this.#lost.signal.reason);
    return new Promise((resolve, reject) => {
      // Queued calls must not wait forever for a slot on a connection that is gone.
      const onLost = (): void => reject(this.#lost.signal.reason);
      this.#lost.signal.addEventListener('abort', onLost, { once: true });
      this.#limit(() => this.#run(command, opts))
        .then(resolve, reject)
        .finally(() => this.#lost.signal.removeEventListener('abort', onLost));
    });
  }

  async #run(command: string, opts: ExecOptions): Promise<CommandResult> {
    if (this.#lost.signal.aborted) throw this.#lost.signal.reason;
    const plan = planExec(command, opts, this.#spec, this.#options, { remoteGuard: true, graceMs: REMOTE_GUARD_GRACE_MS });
    const started = Date.now();
    let proc: ProcessHandle;
    try {
      proc = await this.#opener.openExec(plan.script);
    } catch (err) {
      if (err instanceof UnreachableError) this.lost(err.kind, err.message);
      if (this.#lost.signal.aborted) throw this.#lost.signal.reason;
      // The host is there but would not give us a channel (e.g. MaxSessions): this command failed.
      const reason = err instanceof Error ? err.message : String(err);
      return {
        command,
        rc: null,
        signal: null,
        stdout: '',
        stderr: `fleet: could not open an SSH channel: ${reason}\n`,
        durationMs: Date.now() - started,
        timedOut: false,
      };
    }
    return runSession(proc, { ...plan.session, signal: this.#lost.signal });
  }

  async close(): Promise<void> {
    if (!this.#lost.signal.aborted) this.#lose(closedByFleet(this.host, this.#target));
    await this.#opener.end();
  }
}
