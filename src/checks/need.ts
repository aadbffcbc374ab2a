/** Reading a Gathered fact inside a check: a missing fact aborts the check as error/skipped, never as fail. */
import type { Gathered, MissingCause } from '../facts/types.js';

/** Thrown by need(); defineCheck turns it into `skipped` (tool absent/unsupported) or `error`. */
export class FactUnavailable extends Error {
  readonly cause_: MissingCause;
  constructor(cause: MissingCause, reason: string) {
    super(reason);
    this.name = 'FactUnavailable';
    this.cause_ = cause;
  }
}

/** The fact's value, or throws FactUnavailable with the fact's own reason. */
export function need<T>(g: Gathered<T>): T {
  if (g.ok) return g.value;
  throw new FactUnavailable(g.cause, g.reason);
}

/** The fact's value or undefined (for optional enrichment only: never base a `fail` on its absence). */
export function maybe<T>(g: Gathered<T>): T | undefined {
  return g.ok ? g.value : undefined;
}
