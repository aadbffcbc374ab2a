/**
 * store/ cannot import the daemon's, notifier's and alerts' interfaces (it is a lower layer), so the
 * ScheduleStore matches them structurally. These assignments stop compiling (tsc --noEmit) if either
 * side drifts; the runtime checks pin the alert key format both sides use.
 */
import { describe, expect, it } from 'vitest';
import type { ScheduleHistory, ScheduleLocks } from '../../../src/daemon/types.js';
import type { Outbox } from '../../../src/notify/outbox.js';
import { advanceRun, splitKey, type AlertState } from '../../../src/schedule/alerts.js';
import type { Retention } from '../../../src/schedule/types.js';
import { parseOwner } from '../../../src/store/schedule-locks.js';
import type { ScheduleStore } from '../../../src/store/schedule-store.js';
import { alertKey, splitAlertKey, type AlertRecord, type RetentionRule } from '../../../src/store/schedule-types.js';

type Assignable<From, To> = From extends To ? true : false;
const checks: [
  Assignable<ScheduleStore, ScheduleLocks>,
  Assignable<ScheduleStore, ScheduleHistory>,
  Assignable<ScheduleStore, Outbox>,
  Assignable<Map<string, AlertRecord>, ReadonlyMap<string, AlertState>>,
  Assignable<ReturnType<typeof advanceRun>['states'], ReadonlyMap<string, AlertRecord>>,
  Assignable<Retention, RetentionRule>,
] = [true, true, true, true, true, true];

describe('schedule store types', () => {
  it('fit the interfaces of daemon/, notify/ and schedule/', () => {
    expect(checks.every(Boolean)).toBe(true);
  });

  it('keys alert records as schedule/alerts.ts does', () => {
    const k = alertKey('hv01', 'bridge.uplink');
    expect(splitKey(k)).toEqual({ host: 'hv01', check: 'bridge.uplink' });
    expect(splitAlertKey(k)).toEqual(splitKey(k));
    expect(splitAlertKey(alertKey('hv01', ''))).toEqual({ host: 'hv01', check: '' });
    expect(() => splitAlertKey('no-separator')).toThrow(/not "host\\0check"/);
  });

  it('parses owner strings hostname:pid:startMs, and names no pid for anything else', () => {
    expect(parseOwner('hv-ctl.example:4242:1700000000000')).toEqual({ hostname: 'hv-ctl.example', pid: 4242 });
    expect(parseOwner('a:b:12:34')).toEqual({ hostname: 'a:b', pid: 12 });
    for (const o of ['someone', 'host:0:1', 'host:x:1', 'host:99999999999:1']) expect(parseOwner(o).pid).toBeUndefined();
  });
});
