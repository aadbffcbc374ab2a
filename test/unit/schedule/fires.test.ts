import { describe, expect, it } from 'vitest';
import { cronNextFires } from '../../../src/schedule/cron.js';
import { parseDuration, formatDuration } from '../../../src/schedule/duration.js';
import { nextFires } from '../../../src/schedule/fires.js';
import { formatInZone } from '../../../src/schedule/time-format.js';

const iso = (ds: Date[]) => ds.map((d) => d.toISOString());

describe('fire times', () => {
  it('a fixed-time job in Europe/Berlin runs once across both DST changes (Vixie-cron behaviour)', () => {
    // 2027-03-28: 02:00 → 03:00 local, 02:30 does not exist: the job runs at 03:00 instead, once.
    expect(iso(cronNextFires('30 2 * * *', 'Europe/Berlin', new Date('2027-03-26T12:00:00Z'), 3))).toEqual([
      '2027-03-27T01:30:00.000Z',
      '2027-03-28T01:00:00.000Z',
      '2027-03-29T00:30:00.000Z',
    ]);
    // 2027-10-31: 03:00 → 02:00 local, 02:30 happens twice: the job runs on the first, once.
    expect(iso(cronNextFires('30 2 * * *', 'Europe/Berlin', new Date('2027-10-30T12:00:00Z'), 2))).toEqual([
      '2027-10-31T00:30:00.000Z',
      '2027-11-01T01:30:00.000Z',
    ]);
  });

  it('6-field cron fires on seconds', () => {
    expect(iso(cronNextFires('*/20 * * * * *', 'UTC', new Date('2027-01-01T00:00:00Z'), 3))).toEqual([
      '2027-01-01T00:00:20.000Z',
      '2027-01-01T00:00:40.000Z',
      '2027-01-01T00:01:00.000Z',
    ]);
  });

  it('every: is aligned to the epoch, strictly after from', () => {
    const t = { kind: 'every', everyMs: 15 * 60_000, text: '15m' } as const;
    expect(iso(nextFires(t, new Date('2027-01-01T10:15:00Z'), 2))).toEqual(['2027-01-01T10:30:00.000Z', '2027-01-01T10:45:00.000Z']);
    expect(iso(nextFires(t, new Date('2027-01-01T10:14:59.999Z'), 1))).toEqual(['2027-01-01T10:15:00.000Z']);
  });

  it('formats local wall time with the offset', () => {
    expect(formatInZone(new Date('2027-03-28T01:00:00Z'), 'Europe/Berlin')).toBe('Sun 2027-03-28 03:00:00 +02:00');
    expect(formatInZone(new Date('2027-03-28T01:00:00Z'), undefined)).toBe('Sun 2027-03-28 01:00:00 +00:00');
  });

  it('parses and prints durations', () => {
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration(30)).toBe(30_000);
    for (const bad of ['', '15', '15 m', 'm', '1.5h', '-1s', null]) expect(parseDuration(bad)).toBeUndefined();
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(86_400_000 + 1000)).toBe('1d1s');
  });
});
