/**
 * A schedule's trigger in systemd.timer terms. Cron expressions are expanded by croner (cron.ts) and
 * the value sets written back in systemd.time(7) calendar syntax: `DOW YYYY-MM-DD HH:MM:SS ZONE`,
 * lists with `,`, ranges with `..`, repetitions with `/`. Cron ORs day-of-month and day-of-week when
 * both are restricted while systemd ANDs them, so that case becomes two OnCalendar= lines.
 */
import { cronFields } from './cron.js';
import { formatDuration } from './duration.js';
import { ScheduleError } from './errors.js';
import type { Trigger } from './types.js';

/** What goes in the [Timer] section for a trigger. */
export interface TimerSpec {
  /** OnCalendar= values (a timer may carry several). */
  readonly onCalendar: readonly string[];
  /** For intervals that are not calendar-aligned: OnActiveSec= and OnUnitActiveSec=. */
  readonly interval: string | undefined;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** `values` (sorted, within [min, max]) as a compact systemd list: `*`, `00/15`, `1..5,7`. */
export function calendarList(values: readonly number[], min: number, max: number, width: number, allowStep = true): string {
  const pad = (n: number) => String(n).padStart(width, '0');
  if (values.length === max - min + 1) return '*';
  const [first, second] = values;
  if (allowStep && first !== undefined && second !== undefined && values.length >= 3) {
    const step = second - first;
    const arithmetic = values.every((v, i) => v === first + i * step);
    // `start/step` repeats to the end of the field's range, so it fits only a progression that does.
    if (arithmetic && step > 1 && (values[values.length - 1] ?? 0) + step > max) return `${pad(first)}/${step}`;
  }
  const runs: string[] = [];
  for (let i = 0; i < values.length;) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === (values[j] ?? 0) + 1) j++;
    const a = values[i] ?? 0;
    const b = values[j] ?? 0;
    runs.push(j - i >= 2 ? `${pad(a)}..${pad(b)}` : j > i ? `${pad(a)},${pad(b)}` : pad(a));
    i = j + 1;
  }
  return runs.join(',');
}

/** Weekdays (0 = Sunday) as systemd writes them, Monday first: `Mon..Fri`, `Sat,Sun`. */
function weekdayList(days: readonly number[]): string {
  const mondayFirst = days.map((d) => (d + 6) % 7).sort((a, b) => a - b); // Mon=0 … Sun=6
  return calendarList(mondayFirst, 0, 6, 1, false)
    .split(',')
    .map((part) =>
      part
        .split('..')
        .map((n) => WEEKDAYS[(Number(n) + 1) % 7])
        .join('..'),
    )
    .join(',');
}

/** Intervals that divide a day evenly are calendar events (aligned to UTC, as the daemon fires them). */
function everyCalendar(ms: number): string | undefined {
  if (ms % 1000 !== 0 || 86_400_000 % ms !== 0) return undefined;
  const s = ms / 1000;
  if (s < 60) return `*-*-* *:*:00/${s} UTC`;
  if (s % 60 === 0 && s < 3600) return `*-*-* *:00/${s / 60}:00 UTC`;
  if (s % 3600 === 0) return `*-*-* 00/${s / 3600}:00:00 UTC`;
  return undefined;
}

export function timerSpec(trigger: Trigger, scheduleName: string): TimerSpec {
  if (trigger.kind === 'every') {
    const cal = everyCalendar(trigger.everyMs);
    if (cal) return { onCalendar: [cal], interval: undefined };
    return { onCalendar: [], interval: formatDuration(trigger.everyMs) };
  }
  const f = cronFields(trigger.expr);
  if (f.special)
    throw new ScheduleError(
      `schedule '${scheduleName}': cron '${trigger.expr}' uses L, W or #, which systemd calendars cannot express; use fleet daemon for it`,
    );
  const time = [
    calendarList(f.hour, 0, 23, 2),
    calendarList(f.minute, 0, 59, 2),
    f.hasSeconds ? calendarList(f.second, 0, 59, 2) : '00',
  ].join(':');
  const zone = trigger.timezone ? ` ${trigger.timezone}` : '';
  const month = calendarList(f.month, 1, 12, 2);
  const day = calendarList(f.day, 1, 31, 2);
  const dateWith = (d: string) => `*-${month}-${d}`;
  const dow = weekdayList(f.weekday);
  if (!f.anyDay && !f.anyWeekday)
    return { onCalendar: [`${dateWith(day)} ${time}${zone}`, `${dow} ${dateWith('*')} ${time}${zone}`], interval: undefined };
  const prefix = f.anyWeekday || dow === '*' ? '' : `${dow} `;
  return { onCalendar: [`${prefix}${dateWith(day)} ${time}${zone}`], interval: undefined };
}
