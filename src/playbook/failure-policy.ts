/**
 * When a play stops scheduling hosts. `max_fail_percentage` is checked after every serial batch,
 * over the batch AND over the play so far (so a large failing batch cannot hide behind small ones,
 * and 100 really means "never stop": ansible#82267). A host counts as failed when a task or a fix
 * failed on it or it became unreachable; a check that merely reports a problem does not count.
 */

export interface BatchTally {
  /** 1-based batch number. */
  readonly batch: number;
  readonly batchFailed: number;
  readonly batchSize: number;
  readonly playFailed: number;
  readonly playTotal: number;
}

/** The reason to stop, or undefined to go on. */
export function maxFailExceeded(maxFailPercentage: number | undefined, t: BatchTally, serial: boolean): string | undefined {
  if (maxFailPercentage === undefined) {
    // Ansible's default: a batch in which every host failed ends the play.
    return serial && t.batchSize > 0 && t.batchFailed === t.batchSize
      ? `every host of serial batch ${t.batch} failed (${t.batchFailed}/${t.batchSize})`
      : undefined;
  }
  const pct = (n: number, d: number) => (d === 0 ? 0 : (n / d) * 100);
  if (pct(t.batchFailed, t.batchSize) > maxFailPercentage) {
    return `max_fail_percentage ${maxFailPercentage}% exceeded: ${t.batchFailed} of ${t.batchSize} hosts failed in batch ${t.batch}`;
  }
  if (pct(t.playFailed, t.playTotal) > maxFailPercentage) {
    return `max_fail_percentage ${maxFailPercentage}% exceeded: ${t.playFailed} of ${t.playTotal} hosts failed so far`;
  }
  return undefined;
}

/**
 * `max_unreachable_percentage`, checked like max_fail_percentage (per batch and over the
 * play) but over hosts that could not be reached. Only used when the play sets it; then unreachable
 * hosts no longer count as failures for max_fail_percentage.
 */
export function maxUnreachableExceeded(
  maxPct: number | undefined,
  t: { batch: number; batchUnreachable: number; batchSize: number; playUnreachable: number; playTotal: number },
): string | undefined {
  if (maxPct === undefined) return undefined;
  const pct = (n: number, d: number) => (d === 0 ? 0 : (n / d) * 100);
  if (pct(t.batchUnreachable, t.batchSize) > maxPct) {
    return `max_unreachable_percentage ${maxPct}% exceeded: ${t.batchUnreachable} of ${t.batchSize} hosts unreachable in batch ${t.batch}`;
  }
  if (pct(t.playUnreachable, t.playTotal) > maxPct) {
    return `max_unreachable_percentage ${maxPct}% exceeded: ${t.playUnreachable} of ${t.playTotal} hosts unreachable so far`;
  }
  return undefined;
}
