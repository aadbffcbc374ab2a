/** Fire times as an operator reads them: local wall time in the schedule's zone with its UTC offset. */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'short',
      timeZoneName: 'longOffset',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** `Sun 2027-03-28 03:00:00 +02:00`, in `tz` (UTC when undefined). */
export function formatInZone(d: Date, tz: string | undefined): string {
  const parts = Object.fromEntries(
    formatter(tz ?? 'UTC')
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  );
  const offset = String(parts['timeZoneName'] ?? 'GMT')
    .replace(/^GMT$/, 'GMT+00:00')
    .replace(/^GMT/, '');
  return `${parts['weekday']} ${parts['year']}-${parts['month']}-${parts['day']} ${parts['hour']}:${parts['minute']}:${parts['second']} ${offset}`;
}
