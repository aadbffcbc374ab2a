/**
 * The one module that talks to croner: cron expressions are parsed and their fire times computed by
 * croner (time zones, and DST the Vixie-cron way: a fixed-time job in a skipped hour runs once after
 * the gap, and once in a repeated hour). Nothing else in fleet parses cron.
 */
import { Cron, CronPattern } from 'croner';

const MODE = '5-or-6-parts' as const;

/** A valid IANA time zone name (what Intl accepts), e.g. Europe/Berlin, UTC. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Why `expr` is not a cron expression fleet accepts, or undefined when it is. */
export function cronProblem(expr: string): string | undefined {
  const fields = expr.trim().split(/\s+/).length;
  if (!expr.trim().startsWith('@') && fields !== 5 && fields !== 6)
    return `a cron expression has 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first, not ${fields}`;
  try {
    new CronPattern(expr, undefined, { mode: MODE });
    return undefined;
  } catch (err) {
    return (err instanceof Error ? err.message : String(err)).replace(/^CronPattern: /, '');
  }
}

/** The next `n` fire times strictly after `from`. */
export function cronNextFires(expr: string, timezone: string | undefined, from: Date, n: number): Date[] {
  const job = new Cron(expr, { timezone, mode: MODE });
  return job.nextRuns(n, from);
}

/** The fields of a cron expression as the sets of values croner expands them to. */
export interface CronFields {
  /** True when the expression had a seconds field (6 fields). */
  readonly hasSeconds: boolean;
  readonly second: readonly number[];
  readonly minute: readonly number[];
  readonly hour: readonly number[];
  /** Days of month, 1-31. */
  readonly day: readonly number[];
  /** Months, 1-12. */
  readonly month: readonly number[];
  /** Days of week, 0 = Sunday … 6. */
  readonly weekday: readonly number[];
  readonly anyDay: boolean;
  readonly anyWeekday: boolean;
  /** L, W or # modifiers, which have no systemd calendar or crontab equivalent everywhere. */
  readonly special: boolean;
  /** The expression with nicknames (@daily) expanded. */
  readonly expanded: string;
}

const setIndexes = (a: readonly number[], offset = 0) => a.flatMap((v, i) => (v ? [i + offset] : []));

/** Expands `expr` into value sets (for converting it to other schedulers' syntax). */
export function cronFields(expr: string): CronFields {
  const p = new CronPattern(expr, undefined, { mode: MODE });
  const expanded = p.pattern.trim();
  const parts = expanded.split(/\s+/);
  const weekday = setIndexes(p.dayOfWeek);
  return {
    hasSeconds: parts.length >= 6,
    second: setIndexes(p.second),
    minute: setIndexes(p.minute),
    hour: setIndexes(p.hour),
    day: setIndexes(p.day, 1),
    month: setIndexes(p.month, 1),
    weekday: [...new Set(weekday.map((d) => d % 7))].sort((a, b) => a - b),
    anyDay: p.starDOM,
    anyWeekday: p.starDOW,
    special: p.lastDayOfMonth || p.lastWeekday || p.nearestWeekdays.some(Boolean) || p.dayOfWeek.some((v) => v !== 0 && v !== 63),
    expanded,
  };
}
