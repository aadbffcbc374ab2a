/**
 * The notification outbox: a notification is enqueued when a run finishes and sent by whoever drains
 * the outbox, so it is sent once, survives a daemon restart, and a receiver that is down only delays
 * it. Items name their channel by (schedule, index, fingerprint) rather than holding the webhook URL
 * or command, so no secret is stored; a channel edited since is detected by the fingerprint.
 */
import { createHash } from 'node:crypto';
import type { Channel } from '../schedule/types.js';

export interface ChannelRef {
  readonly schedule: string;
  readonly index: number;
  /** sha256 of the channel's definition, so an edited channel is not sent to by mistake. */
  readonly fingerprint: string;
}

export type OutboxState = 'pending' | 'sent' | 'failed';

export interface OutboxItem {
  readonly id: number;
  readonly channel: ChannelRef;
  /** The notification JSON (already redacted). */
  readonly payload: string;
  readonly state: OutboxState;
  /** Delivery attempts made so far. */
  readonly attempts: number;
  /** Not before this (ms since the epoch): the retry backoff, or a claim's lease. */
  readonly nextTryAt: number;
  readonly lastError: string | undefined;
  readonly createdAt: number;
}

export interface Outbox {
  enqueue(items: readonly { channel: ChannelRef; payload: string }[], now: number): Promise<void>;
  /**
   * Up to `limit` pending items due at `now`, each claimed until now + leaseMs: a sender that dies
   * mid-send lets its claims come back after the lease instead of losing them.
   */
  claim(now: number, limit: number, leaseMs: number): Promise<OutboxItem[]>;
  markSent(id: number, attempts: number, now: number): Promise<void>;
  /** `retryAt` undefined: give up (state failed). */
  markFailed(id: number, attempts: number, error: string, retryAt: number | undefined): Promise<void>;
}

export function channelFingerprint(channel: Channel): string {
  return createHash('sha256').update(JSON.stringify(channel)).digest('hex').slice(0, 16);
}
