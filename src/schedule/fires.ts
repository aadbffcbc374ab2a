/**
 * When a schedule fires. Cron times come from croner in the schedule's time zone. `every:` fires on
 * multiples of the interval since the Unix epoch (every 15m → :00, :15, :30, :45 UTC), so the times
 * are the same whenever the daemon was started, and a restart neither fires early nor drifts.
 */
import { cronNextFires } from './cron.js';
import type { Trigger } from './types.js';

/** The next `n` fire times strictly after `from`. */
export function nextFires(trigger: Trigger, from: Date, n: number): Date[] {
  if (n <= 0) return [];
  if (trigger.kind === 'cron') return cronNextFires(trigger.expr, trigger.timezone, from, n);
  const first = (Math.floor(from.getTime() / trigger.everyMs) + 1) * trigger.everyMs;
  return Array.from({ length: n }, (_, i) => new Date(first + i * trigger.everyMs));
}

export function nextFire(trigger: Trigger, from: Date): Date | undefined {
  return nextFires(trigger, from, 1)[0];
}

/** How a trigger reads in listings: `cron 30 2 * * * (Europe/Berlin)` or `every 15m`. */
export function describeTrigger(trigger: Trigger): string {
  if (trigger.kind === 'every') return `every ${trigger.text}`;
  return `cron ${trigger.expr}${trigger.timezone ? ` (${trigger.timezone})` : ''}`;
}
