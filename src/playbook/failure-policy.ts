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
  return overLimit('max_fail_percentage', maxFailPercentage, 'failed', t.batch, [t.batchFailed, t.batchSize], [t.playFailed, t.playTotal]);
}

/** Why `limit` % was crossed in the batch or over the play so far ([count, total] each), if it was. */
function overLimit(
  keyword: string,
  limit: number,
  what: string,
  batch: number,
  [inBatch, batchSize]: [number, number],
  [inPlay, playTotal]: [number, number],
): string | undefined {
  const pct = (n: number, d: number) => (d === 0 ? 0 : (n / d) * 100);
  if (pct(inBatch, batchSize) > limit) return `${keyword} ${limit}% exceeded: ${inBatch} of ${batchSize} hosts ${what} in batch ${batch}`;
  if (pct(inPlay, playTotal) > limit) return `${keyword} ${limit}% exceeded: ${inPlay} of ${playTotal} hosts ${what} so far`;
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
  return overLimit(
    'max_unreachable_percentage',
    maxPct,
    'unreachable',
    t.batch,
    [t.batchUnreachable, t.batchSize],
    [t.playUnreachable, t.playTotal],
  );
}
