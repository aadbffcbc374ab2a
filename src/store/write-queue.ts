/**
 * In-memory queue in front of the database. push() is synchronous and O(1) so recording never waits
 * for disk (ARA's per-event writes tripled Ansible's run time); a writer drains the queue in batches
 * when it reaches `batchSize` items or `delayMs` after the first item arrives, whichever comes first.
 */

export interface WriteQueueOptions {
  /** Queue length that triggers a write at once. */
  readonly batchSize: number;
  /** Most items written in one transaction. */
  readonly maxBatch: number;
  /** How long a small batch may wait for company. */
  readonly delayMs: number;
}

export interface WriteQueueStats {
  /** Transactions committed. */
  readonly batches: number;
  /** Items committed. */
  readonly items: number;
  /** Wall time spent inside write() calls, ms. */
  readonly writerMs: number;
  /** Items waiting. */
  readonly queued: number;
  /** Items dropped because their batch failed. */
  readonly failedItems: number;
}

export class WriteQueue<T> {
  private items: T[] = [];
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private writing = false;
  private urgent = false;
  private error: unknown = undefined;
  private waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private lowWaiters: { n: number; resolve: () => void }[] = [];
  private counters = { batches: 0, items: 0, writerMs: 0, failedItems: 0 };

  constructor(
    private readonly write: (batch: T[]) => Promise<void>,
    private readonly opts: WriteQueueOptions,
  ) {}

  /** Enqueues one item; never blocks, never throws. */
  push(item: T): void {
    this.items.push(item);
    if (this.writing) return; // the running writer picks it up
    if (this.items.length >= this.opts.batchSize) this.wakeNow();
    else if (this.timer === undefined && this.immediate === undefined) {
      this.timer = setTimeout(() => this.wakeNow(), this.opts.delayMs);
    }
  }

  /** Resolves when everything queued so far is written; rejects with a write error since the last flush. */
  flush(): Promise<void> {
    if (!this.writing && this.items.length === 0) return this.settle();
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.urgent = true;
      if (!this.writing) this.wakeNow();
    });
  }

  /**
   * undefined when fewer than `n` items wait, else a promise that resolves once that is so. Lets
   * producers slow down instead of growing the queue without bound when the database is slower.
   */
  below(n: number): Promise<void> | undefined {
    if (this.items.length < n) return undefined;
    return new Promise<void>((resolve) => this.lowWaiters.push({ n, resolve }));
  }

  stats(): WriteQueueStats {
    return { ...this.counters, queued: this.items.length };
  }

  private wakeLow(): void {
    if (this.lowWaiters.length === 0) return;
    const still: { n: number; resolve: () => void }[] = [];
    for (const w of this.lowWaiters) {
      if (this.items.length < w.n) w.resolve();
      else still.push(w);
    }
    this.lowWaiters = still;
  }

  private settle(): Promise<void> {
    if (this.error === undefined) return Promise.resolve();
    const err = this.error;
    this.error = undefined;
    return Promise.reject(err);
  }

  /** Starts the writer on the next turn of the event loop, never inside push() itself. */
  private wakeNow(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.immediate === undefined && !this.writing) {
      this.immediate = setImmediate(() => {
        this.immediate = undefined;
        void this.drain();
      });
    }
  }

  private async drain(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      for (let first = true; this.items.length > 0; first = false) {
        // After the batch we were woken for: below batchSize and nobody waiting, let more items gather
        // for delayMs instead of committing a tiny batch.
        if (!first && !this.urgent && this.items.length < this.opts.batchSize) break;
        const batch = this.items.length <= this.opts.maxBatch ? this.items : this.items.slice(0, this.opts.maxBatch);
        this.items = batch === this.items ? [] : this.items.slice(batch.length);
        const started = performance.now();
        try {
          await this.write(batch);
          this.counters.batches++;
          this.counters.items += batch.length;
        } catch (err) {
          // Keep the first error for flush(); the batch is dropped (retrying a constraint error forever
          // would block every later record).
          this.error ??= err;
          this.counters.failedItems += batch.length;
        } finally {
          this.counters.writerMs += performance.now() - started;
          this.wakeLow();
        }
      }
    } finally {
      this.writing = false;
    }
    if (this.items.length > 0) {
      this.timer ??= setTimeout(() => this.wakeNow(), this.opts.delayMs);
      return;
    }
    this.urgent = false;
    const waiters = this.waiters;
    this.waiters = [];
    const err = this.error;
    this.error = undefined;
    for (const w of waiters) {
      if (err === undefined) w.resolve();
      else w.reject(err);
    }
    // A flush() that finds no waiters still learns about the error later via settle().
    if (err !== undefined && waiters.length === 0) this.error = err;
  }
}
