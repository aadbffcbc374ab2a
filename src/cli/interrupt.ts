/**
 * SIGINT/SIGTERM during a run: the first signal stops starting new hosts and steps and lets in-flight
 * steps finish for a short grace period; then (or on a second signal) connections are cut so the
 * run can be recorded `interrupted` and the process exits. Results already finished are never lost.
 */
export interface Interrupt {
  readonly signal: AbortSignal;
  /** Called when in-flight work must end now (grace expired or second signal). */
  onForce(fn: () => void): void;
  dispose(): void;
}

export function handleInterrupts(opts: { graceMs: number; stderr: NodeJS.WritableStream }): Interrupt {
  const controller = new AbortController();
  const forceHandlers: (() => void)[] = [];
  let timer: NodeJS.Timeout | undefined;
  const force = () => {
    for (const fn of forceHandlers.splice(0)) fn();
  };
  const handler = (sig: NodeJS.Signals) => {
    if (!controller.signal.aborted) {
      opts.stderr.write(
        `\nfleet: ${sig} received: starting no new hosts; waiting up to ${Math.round(opts.graceMs / 1000)}s for running steps (again to stop now)\n`,
      );
      controller.abort(new Error(`interrupted by ${sig}`));
      timer = setTimeout(force, opts.graceMs);
      timer.unref();
    } else {
      opts.stderr.write(`\nfleet: ${sig} again: cutting connections now\n`);
      force();
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    onForce: (fn) => forceHandlers.push(fn),
    dispose: () => {
      if (timer) clearTimeout(timer);
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

/**
 * The same contract driven by a caller's signal instead of process signals (the daemon runs several
 * schedules in one process and owns SIGTERM itself): when `signal` aborts, the caller's grace period
 * is already over, so new work stops and in-flight work is cut at once.
 */
export function followSignal(signal: AbortSignal): Interrupt {
  const controller = new AbortController();
  const forceHandlers: (() => void)[] = [];
  const onAbort = () => {
    controller.abort(signal.reason ?? new Error('interrupted'));
    for (const fn of forceHandlers.splice(0)) fn();
  };
  if (signal.aborted) queueMicrotask(onAbort);
  else signal.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    onForce: (fn) => (controller.signal.aborted ? fn() : forceHandlers.push(fn)),
    dispose: () => signal.removeEventListener('abort', onAbort),
  };
}
