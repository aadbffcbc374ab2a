/**
 * How many SSH handshakes may be in flight at once, adapted to what the handshakes themselves show
 * (congestion control in the manner of TCP: additive increase, multiplicative decrease).
 *
 * Why: handshakes cost CPU on both ends (key exchange, sshd's re-exec per connection). When the
 * controller or the hosts share too few cores, N concurrent handshakes all progress at 1/N speed
 * and all miss --connect-timeout together: 200 simulated hosts at --forks 200 on 2 cores ended
 * with every host "unreachable" in 17 s, while --forks 50 reached all of them. Latency that grows
 * with the window is the warning before that cliff; on a real network, where a handshake waits on
 * round trips rather than CPU, latency stays flat and the window grows to --forks.
 *
 * - The window starts at min(forks, INITIAL) and grows by one per handshake that completes near the
 *   baseline (slow start: doubles per round) until the first cut; after that by 1/window per
 *   handshake (about one per round), never above --forks.
 * - Baseline = the lowest median of 5 consecutive handshakes seen. When the median of the last few
 *   (at least 3) handshakes begun under the current window exceeds CUT_FACTOR x baseline (but at
 *   least a tenth of the connect timeout) or half the connect timeout, or a handshake
 *   times out from overload, the window is halved: at most once per round (only a handshake begun
 *   after the last cut may cut again, as TCP reacts once per window of losses).
 * - A timeout is overload (worth a retry) when the host answered TCP but the SSH handshake did not
 *   finish while others were in flight: under processor sharing the early finishers look fine and
 *   the rest all miss the deadline together, so latency alone warns too late. A host that never
 *   answered TCP is down or filtered: no cut, no retry, so a dead rack neither shrinks the window
 *   nor is dialled three times.
 *
 * Pure: time comes from `now`, so tests drive it with a fake clock.
 */
import type { WindowChange } from './events.js';

export type { WindowChange } from './events.js';

/** First window: enough to get going on a fast network, few enough not to overload 2 cores. */
export const INITIAL_WINDOW = 10;
/** Cut when recent handshakes take more than this times the baseline. */
export const CUT_FACTOR = 3;
/** Grow only while recent handshakes take at most this times the baseline (between: hold). */
export const GROW_FACTOR = 1.5;
/** Handshakes whose median judges the window. */
const RECENT = 5;
/** Handshakes faster than 1/SAFE_SHARE of the connect timeout never cut the window. */
const SAFE_SHARE = 10;
/** Handshakes of the current window needed before their latency may cut it. */
const MIN_JUDGED = 3;
/** At most this many window changes are kept for the run's timings (growth is coalesced). */
const MAX_CHANGES = 200;

export interface AdaptiveLimitOptions {
  /** The upper bound (--forks). */
  readonly max: number;
  readonly initial?: number;
  /** --connect-timeout, ms: latency near it is danger whatever the baseline. */
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

/** One handshake, as the limit saw it begin. */
export interface Attempt {
  readonly startedAt: number;
  /** How many cuts had happened when it began: a later cut means it ran through one. */
  readonly epoch: number;
  /** Handshakes in flight once it began (itself included). */
  readonly concurrency: number;
}

export class AdaptiveLimit {
  readonly #max: number;
  readonly #now: () => number;
  readonly #initial: number;
  #window: number;
  #slowStart = true;
  #inFlight = 0;
  #baseline: number | undefined;
  /** The last few latencies whatever the window: the baseline is the lowest median they ever had. */
  #lately: number[] = [];
  /** Latencies of handshakes begun under the current window (they judge it). */
  #recent: number[] = [];
  #epoch = 0;
  readonly #timeoutMs: number;
  /** Handshakes faster than this are safe whatever the baseline (a tenth of the connect timeout). */
  readonly #safeMs: number;
  #peak: number;
  #t0: number | undefined;
  readonly #changes: WindowChange[] = [];
  #lastRecorded: number;

  constructor(options: AdaptiveLimitOptions) {
    this.#max = Math.max(1, Math.floor(options.max));
    this.#now = options.now ?? Date.now;
    this.#timeoutMs = options.timeoutMs ?? Infinity;
    this.#safeMs = options.timeoutMs !== undefined ? options.timeoutMs / SAFE_SHARE : 0;
    this.#initial = Math.max(1, Math.min(this.#max, Math.floor(options.initial ?? INITIAL_WINDOW)));
    this.#window = this.#initial;
    this.#peak = this.#initial;
    this.#lastRecorded = this.#initial;
  }

  /** Handshakes allowed in flight now. */
  get limit(): number {
    return Math.max(1, Math.floor(this.#window));
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get hasRoom(): boolean {
    return this.#inFlight < this.limit;
  }

  get initial(): number {
    return this.#initial;
  }

  get peak(): number {
    return this.#peak;
  }

  get cuts(): number {
    return this.#epoch;
  }

  /** The fastest handshake seen, ms (undefined before the first one completes). */
  get baselineMs(): number | undefined {
    return this.#baseline;
  }

  /** Window changes so far: every cut, and growth each time it passed 1.25x the last recorded value. */
  get changes(): readonly WindowChange[] {
    return this.#changes;
  }

  start(): Attempt {
    const now = this.#now();
    this.#t0 ??= now;
    this.#inFlight++;
    return { startedAt: now, epoch: this.#epoch, concurrency: this.#inFlight };
  }

  /** A handshake completed. `demand`: hosts are waiting for a slot (no point growing a window nobody fills). */
  succeeded(a: Attempt, demand: boolean): void {
    this.#inFlight--;
    const ms = Math.max(0, this.#now() - a.startedAt);
    // Not the single fastest handshake: on a shared machine one lucky outlier would make every
    // later handshake look slow. The lowest median of a few in a row is what "fast" really is here.
    push(this.#lately, ms);
    const typical = median(this.#lately);
    this.#baseline = this.#baseline === undefined ? typical : Math.min(this.#baseline, typical);
    // A handshake begun before the last cut says nothing about the window as it is now.
    if (a.epoch !== this.#epoch) return;
    push(this.#recent, ms);
    const recent = median(this.#recent);
    const base = Math.max(this.#baseline, 1);
    // Halfway to the timeout is too slow whatever the baseline: the next step up would time out.
    // Judged on at least MIN_JUDGED handshakes of this window, so one slow host cannot cut it.
    if (this.#recent.length >= MIN_JUDGED && recent > this.#cutAt(base)) this.#cut('latency');
    else if (recent <= this.#growAt(base) && demand) this.#grow();
  }

  /**
   * A handshake timed out. Returns whether that was overload (so worth a retry): the host answered
   * TCP but the SSH handshake did not finish in time while other handshakes were in flight. A host
   * that never answered TCP is down or filtered whatever the load (no cut, no retry: a dead rack must
   * not shrink the window); one that was alone in flight and still too slow is slow itself.
   */
  timedOut(a: Attempt, tcpConnected: boolean): boolean {
    this.#inFlight--;
    if (!tcpConnected) return false;
    if (a.epoch !== this.#epoch) return true; // ran through a cut: already answered for
    if (a.concurrency <= 1 && this.#inFlight === 0) return false;
    this.#cut('timeout');
    return true;
  }

  /** A handshake failed otherwise (refused, auth, host key…): says nothing about load. */
  failed(_a: Attempt): void {
    this.#inFlight--;
  }

  /**
   * Latency that cuts: CUT_FACTOR x baseline, but never below a tenth of the connect timeout (a
   * handshake that fast is in no danger: on loopback, queueing in the controller tripled 10 ms
   * handshakes and cutting for that only cost throughput), and always past half of it.
   */
  #cutAt(base: number): number {
    return Math.min(Math.max(CUT_FACTOR * base, this.#safeMs), this.#timeoutMs / 2);
  }

  #growAt(base: number): number {
    return Math.min(Math.max(GROW_FACTOR * base, this.#safeMs / 2), this.#timeoutMs / 4);
  }

  #grow(): void {
    if (this.#window >= this.#max) return;
    this.#window = Math.min(this.#max, this.#window + (this.#slowStart ? 1 : 1 / this.#window));
    const limit = this.limit;
    if (limit > this.#peak) this.#peak = limit;
    if (limit >= this.#lastRecorded * 1.25 || (limit === this.#max && this.#lastRecorded !== this.#max)) this.#record('grow');
  }

  #cut(reason: WindowChange['reason']): void {
    this.#slowStart = false;
    this.#epoch++;
    this.#recent = [];
    this.#window = Math.max(1, Math.floor(this.#window / 2));
    this.#record(reason);
  }

  #record(reason: WindowChange['reason']): void {
    this.#lastRecorded = this.limit;
    if (this.#changes.length >= MAX_CHANGES) return;
    this.#changes.push({ atMs: this.#now() - (this.#t0 ?? this.#now()), window: this.limit, reason });
  }
}

function push(xs: number[], x: number): void {
  xs.push(x);
  if (xs.length > RECENT) xs.shift();
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
