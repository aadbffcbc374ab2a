/** Messages between the synthetic fleet (parent) and its responder processes (IPC). */

export interface SyntheticHost {
  readonly name: string;
  /** 0-based position in the fleet. */
  readonly index: number;
  readonly address: string;
  readonly port: number;
  /** Which recording (bench/synthetic/recorded/<name>.txt) this host answers. */
  readonly recording: string;
}

export interface StartMessage {
  readonly type: 'start';
  readonly hosts: readonly SyntheticHost[];
  /** The one client key allowed in: "ssh-ed25519 AAAA…". */
  readonly clientPublicKey: string;
  readonly cloned: boolean;
  /** Milliseconds each host waits before answering an exec (a slow host, a far link). */
  readonly delayMs: number;
}

export interface ReadyMessage {
  readonly type: 'ready';
  /** "ssh-ed25519 AAAA…" per host, in the order of StartMessage.hosts. */
  readonly publicKeys: readonly string[];
  readonly keygenMs: number;
  readonly listenMs: number;
}

export interface UsageMessage {
  readonly type: 'usage';
  /** CPU microseconds since the process started. */
  readonly userUs: number;
  readonly systemUs: number;
  readonly rssBytes: number;
  readonly connections: number;
  readonly execs: number;
}

export type ToResponder = StartMessage | { readonly type: 'usage' };
export type FromResponder = ReadyMessage | UsageMessage | { readonly type: 'error'; readonly message: string };
