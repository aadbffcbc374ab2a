/**
 * Runs async sections one after another on a single connection. Needed because a batch transaction
 * spans many awaits: without it a startRun() or a read could slip inside BEGIN…COMMIT and be rolled
 * back (or committed) with someone else's batch.
 */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `fn` after every section queued before it has settled. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
