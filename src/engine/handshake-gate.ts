/**
 * Admits SSH handshakes through an AdaptiveLimit: a dial waits for a slot, is timed, and a dial that
 * timed out because of fleet's own overload is dialled again (a bounded number of times) instead of
 * making the host "unreachable". Any other failure (refused, no route, auth, host key) is final at
 * once, exactly as without the gate. Hosts keep their --forks slot while they wait here, so --forks
 * stays the upper bound of everything.
 */
import { UnreachableError } from '../core/errors.js';
import { AdaptiveLimit, type Attempt } from './adaptive-limit.js';
import type { ConcurrencyReport } from './events.js';

/**
 * Retries of one host's handshake after overload timeouts that the host's own dial answered for (it
 * began under the window it then cut). A dial that timed out after a cut it ran through began under
 * a window already known to be too big: retrying it costs the host nothing, else a window that needs
 * several halvings to fit (10 -> 5 -> 2) used up a host's retries before it ever got a fair try.
 */
export const MAX_RETRIES = 2;
/** Retries of one host in all, free ones included: a bound however often the window is cut. */
export const MAX_TOTAL_RETRIES = 8;

export interface HandshakeGateOptions {
  /** --forks. */
  readonly forks: number;
  /** --connect-timeout, ms. */
  readonly timeoutMs?: number;
  readonly initialWindow?: number;
  readonly maxRetries?: number;
  readonly now?: () => number;
}

export class HandshakeGate {
  readonly #limit: AdaptiveLimit;
  readonly #forks: number;
  readonly #maxRetries: number;
  readonly #now: () => number;
  /** Dials waiting for a slot, oldest first (retries go to the front: they have waited longest). */
  readonly #queue: { readonly admit: (a: Attempt) => void; readonly refuse: (err: Error) => void }[] = [];
  /** Per host, how long its last dial waited for slots (taken once by whoever times the connect). */
  readonly #waited = new Map<string, number>();
  readonly #retried = new Set<string>();
  #handshakes = 0;
  #timeouts = 0;
  #retries = 0;
  #recovered = 0;

  constructor(options: HandshakeGateOptions) {
    this.#forks = options.forks;
    this.#maxRetries = options.maxRetries ?? MAX_RETRIES;
    this.#now = options.now ?? Date.now;
    this.#limit = new AdaptiveLimit({
      max: options.forks,
      now: this.#now,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.initialWindow !== undefined ? { initial: options.initialWindow } : {}),
    });
  }

  /** Runs `connect` when the window has room; retries it after an overload timeout. */
  async dial<T>(host: string, connect: () => Promise<T>): Promise<T> {
    let waited = 0;
    let charged = 0;
    for (let retry = 0; ; retry++) {
      const t0 = this.#now();
      const attempt = await this.#admit(retry > 0);
      waited += this.#now() - t0;
      this.#waited.set(host, waited);
      this.#handshakes++;
      try {
        const conn = await connect();
        this.#limit.succeeded(attempt, this.#queue.length > 0);
        if (retry > 0) this.#recovered++;
        return conn;
      } catch (err) {
        let again = false;
        if (err instanceof UnreachableError && err.kind === 'timeout') {
          this.#timeouts++;
          const ranThroughCut = attempt.epoch !== this.#limit.cuts;
          if (this.#limit.timedOut(attempt, err.tcpConnected)) {
            if (!ranThroughCut) charged++;
            again = charged <= this.#maxRetries && retry < MAX_TOTAL_RETRIES;
          }
        } else {
          this.#limit.failed(attempt);
        }
        if (!again) throw retry > 0 && err instanceof UnreachableError ? afterRetries(err, retry) : err;
        this.#retries++;
        this.#retried.add(host);
      } finally {
        this.#pump();
      }
    }
  }

  /**
   * The run was interrupted: dials still waiting for a slot are not started (with a big --forks and
   * a small window, thousands may be waiting; they must not all be dialled before the run can end).
   */
  abortWaiting(): void {
    for (const w of this.#queue.splice(0)) w.refuse(new UnreachableError('', 'closed', 'interrupted before connecting'));
  }

  /** How long the host's dial waited for a handshake slot, ms (0 if never asked); forgets it. */
  takeWaitMs(host: string): number {
    const ms = this.#waited.get(host) ?? 0;
    this.#waited.delete(host);
    return ms;
  }

  report(): ConcurrencyReport {
    const l = this.#limit;
    return {
      mode: 'adaptive',
      forks: this.#forks,
      initialWindow: l.initial,
      peakWindow: l.peak,
      finalWindow: l.limit,
      cuts: l.cuts,
      baselineMs: l.baselineMs ?? null,
      windowChanges: [...l.changes],
      handshakes: this.#handshakes,
      timeouts: this.#timeouts,
      retriedHosts: this.#retried.size,
      retries: this.#retries,
      recoveredHosts: this.#recovered,
    };
  }

  /** A slot: at once if the window has room and nobody is ahead, else in turn. */
  #admit(front: boolean): Promise<Attempt> {
    if (this.#limit.hasRoom && this.#queue.length === 0) return Promise.resolve(this.#limit.start());
    return new Promise((admit, refuse) => (front ? this.#queue.unshift({ admit, refuse }) : this.#queue.push({ admit, refuse })));
  }

  /** Starts waiting dials while the window has room (it may have grown, or a slot freed). */
  #pump(): void {
    while (this.#queue.length > 0 && this.#limit.hasRoom) this.#queue.shift()!.admit(this.#limit.start());
  }
}

/** The last timeout's error, saying it was not the first try. */
function afterRetries(err: UnreachableError, retries: number): UnreachableError {
  return new UnreachableError(
    err.host,
    err.kind,
    `${err.message} (after ${retries} ${retries === 1 ? 'retry' : 'retries'}: fleet had backed off its concurrency)`,
  );
}
