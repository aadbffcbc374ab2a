/**
 * A crontab line for a schedule. Cron has no seconds and cannot express every interval; those are
 * refused rather than approximated. A time zone becomes CRON_TZ (cronie and systemd-cron honour it;
 * Debian's own cron does not, which the output says).
 */
import { shQuote } from '../core/shell.js';
import { cronFields } from './cron.js';
import { formatDuration } from './duration.js';
import { ScheduleError } from './errors.js';
import { fleetArgv, type FleetCommand } from './systemd-units.js';
import type { Schedule } from './types.js';

function cronTimeFields(schedule: Schedule): string {
  const t = schedule.trigger;
  if (t.kind === 'every') {
    const m = t.everyMs / 60_000;
    if (Number.isInteger(m) && m >= 1 && m < 60 && 60 % m === 0) return `${m === 1 ? '*' : `*/${m}`} * * * *`;
    const h = t.everyMs / 3_600_000;
    if (Number.isInteger(h) && h >= 1 && h < 24 && 24 % h === 0) return `0 ${h === 1 ? '*' : `*/${h}`} * * *`;
    if (t.everyMs === 86_400_000) return '0 0 * * *';
    throw new ScheduleError(`schedule '${schedule.name}': every ${t.text} has no crontab equivalent (cron steps divide an hour or a day)`);
  }
  const f = cronFields(t.expr);
  const parts = f.expanded.split(/\s+/);
  if (f.hasSeconds) {
    if (f.second.length !== 1 || f.second[0] !== 0)
      throw new ScheduleError(`schedule '${schedule.name}': cron '${t.expr}' fires on seconds, which crontab cannot do`);
    parts.shift();
  }
  return parts.join(' ');
}

export function crontabLines(schedule: Schedule, cmd: FleetCommand): string {
  const argv = fleetArgv(cmd, ['schedule', 'run', schedule.name]);
  // `%` ends a crontab command (the rest becomes stdin) unless escaped.
  const command = argv
    .map((a) => shQuote(a))
    .join(' ')
    .replace(/%/g, '\\%');
  // every: fires on multiples of the interval in UTC (fires.ts); hour steps differ by zone.
  const tz = schedule.trigger.kind === 'cron' ? schedule.trigger.timezone : schedule.trigger.everyMs >= 3_600_000 ? 'UTC' : undefined;
  const lines = [`# fleet schedule ${schedule.name} (${schedule.playbook})`];
  if (tz) {
    lines.push('# CRON_TZ is honoured by cronie and systemd-cron, not by Debian cron (which uses the system zone).');
    lines.push(`CRON_TZ=${tz}`);
  }
  if (schedule.jitterMs > 0) lines.push(`# jitter ${formatDuration(schedule.jitterMs)} is not applied by cron`);
  lines.push(`${cronTimeFields(schedule)} ${command}`);
  return `${lines.join('\n')}\n`;
}
