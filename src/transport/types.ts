/** The transport contract: one Connection per host for a whole run, many commands on it. */
import type { ConnectionSpec } from '../core/inventory.js';
import type { CommandResult } from '../core/result.js';

export interface ExecOptions {
  /** Per-command timeout (default ConnectOptions.commandTimeoutMs; 0 = none); on expiry the command is killed and `timedOut` is set. */
  readonly timeoutMs?: number;
  /** Run through sudo (password, if any, is fed on stdin, never on the command line). Default: the spec's `become`. */
  readonly become?: boolean;
  /** Default: the spec's `becomeUser`, else root. */
  readonly becomeUser?: string;
  /** Data written to the command's stdin, then stdin is closed. */
  readonly stdin?: string | Buffer;
}

export interface Connection {
  readonly host: string;
  /**
   * Run one shell command. Resolves for any exit code; rejects only with UnreachableError
   * when the connection itself is lost (the host is then unreachable for the rest of the run).
   */
  exec(command: string, options?: ExecOptions): Promise<CommandResult>;
  close(): Promise<void>;
}

export type HostKeyMode = 'strict' | 'accept-new' | 'off';

export interface ConnectOptions {
  readonly connectTimeoutMs: number;
  readonly commandTimeoutMs: number;
  /** SSH keepalive interval (0 = off); after keepaliveCountMax unanswered ones the host is unreachable. */
  readonly keepaliveIntervalMs: number;
  /** Default 3. */
  readonly keepaliveCountMax?: number;
  /** known_hosts files to verify against; the first one is where accept-new appends. */
  readonly knownHostsFiles: readonly string[];
  readonly hostKeyMode: HostKeyMode;
  /** Passphrase for encrypted private keys (from FLEET_SSH_PASSPHRASE or a prompt). */
  readonly passphrase?: string;
  /** ssh-agent socket (SSH_AUTH_SOCK) if any. */
  readonly agentSocket?: string;
  /** Write accept-new entries hashed (OpenSSH HashKnownHosts). Default false, like OpenSSH. */
  readonly hashKnownHosts?: boolean;
  /** Concurrent exec channels per connection (OpenSSH's MaxSessions defaults to 10). Default 8. */
  readonly maxChannelsPerHost?: number;
  /** Cap per output stream, in bytes. Default 16 MiB; the rest is dropped with a marker. */
  readonly outputCapBytes?: number;
}

export interface Transport {
  /** Rejects with UnreachableError when the host cannot be reached or authenticated. */
  connect(spec: ConnectionSpec, options: ConnectOptions): Promise<Connection>;
  /** Close shared resources (jump-host connections). */
  close(): Promise<void>;
}

export { UnreachableError } from '../core/errors.js';
