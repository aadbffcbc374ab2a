/**
 * The shapes the schedule store reads and writes. store/ sits below schedule/, notify/ and daemon/
 * (test/unit/architecture.test.ts), so it cannot import their interfaces; these mirror them member for
 * member, and TypeScript's structural typing lets a ScheduleStore be passed wherever daemon/types.ts's
 * ScheduleLocks and ScheduleHistory, notify/outbox.ts's Outbox or schedule/alerts.ts's AlertState are
 * expected. test/unit/store/schedule-store-types.test.ts fails to compile if they drift apart.
 */
import type { RunStatus } from '../core/result.js';

export type FireOutcome = 'ran' | 'skipped' | 'missed';

/** notify/outbox.ts ChannelRef. */
export interface OutboxChannel {
  readonly schedule: string;
  readonly index: number;
  readonly fingerprint: string;
}

export type OutboxRowState = 'pending' | 'sent' | 'failed';

/** notify/outbox.ts OutboxItem. */
export interface OutboxRow {
  readonly id: number;
  readonly channel: OutboxChannel;
  readonly payload: string;
  readonly state: OutboxRowState;
  readonly attempts: number;
  readonly nextTryAt: number;
  readonly lastError: string | undefined;
  readonly createdAt: number;
}

/** schedule/alerts.ts AlertState. */
export interface AlertRecord {
  readonly streak: number;
  readonly open: boolean;
  readonly notifiedAt: number | undefined;
}

/** schedule/types.ts Retention. */
export interface RetentionRule {
  readonly keepRuns: number | undefined;
  readonly keepDays: number | undefined;
  readonly minKept: number;
}

/** The latest run a schedule made, for `fleet schedule list`. */
export interface ScheduleRunSummary {
  readonly id: number;
  readonly status: RunStatus;
  readonly startedAt: number;
  readonly finishedAt: number | undefined;
}

/**
 * The key of one alert record, "host\0check": the same format as schedule/alerts.ts (its key() and
 * splitKey()), so the maps advanceRun() takes and returns are stored as they are.
 */
export const alertKey = (host: string, check: string): string => `${host}\u0000${check}`;

export function splitAlertKey(k: string): { host: string; check: string } {
  const i = k.indexOf('\u0000');
  if (i < 0) throw new TypeError(`store: alert state key ${JSON.stringify(k)} is not "host\\0check"`);
  return { host: k.slice(0, i), check: k.slice(i + 1) };
}
