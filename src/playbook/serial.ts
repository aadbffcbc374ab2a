/**
 * `serial`: split a play's hosts into batches run one after another. A number, a percentage of the
 * play's hosts ("25%"), or a ramp list ([1, 5, "20%"]) whose last entry repeats until hosts run out.
 */
import type { SerialSpec } from './types.js';

/** Batch size for one serial entry over `total` hosts (Ansible: percentages round down, minimum 1). */
export function batchSize(entry: number | string, total: number): number {
  if (typeof entry === 'number') return entry <= 0 ? total : entry;
  const pct = Number(entry.trim().replace(/%$/, ''));
  if (!entry.trim().endsWith('%')) return pct <= 0 ? total : pct;
  return Math.max(1, Math.floor((pct / 100) * total));
}

/** The batches, in order. No serial (or 0) = one batch with every host. */
export function serialBatches<T>(hosts: readonly T[], serial: SerialSpec | undefined): T[][] {
  if (hosts.length === 0) return [];
  if (!serial || serial.length === 0) return [[...hosts]];
  const batches: T[][] = [];
  let i = 0;
  let step = 0;
  while (i < hosts.length) {
    const entry = serial[Math.min(step, serial.length - 1)] ?? 0;
    const size = batchSize(entry, hosts.length);
    batches.push(hosts.slice(i, i + size));
    i += size;
    step++;
  }
  return batches;
}
