/**
 * Drains the outbox: each due notification goes to its channel; a failure is retried with
 * exponential backoff up to the channel's `retries`, then recorded as failed. Nothing here throws
 * to the caller: a notification that cannot be sent is logged and recorded, and never stops the
 * daemon or delays its next run. Every log line passes through the URL redactor.
 */
import type { Channel } from '../schedule/types.js';
import { runNotifyCommand } from './command.js';
import { maskUrl, urlRedactor } from './mask.js';
import { channelFingerprint, type ChannelRef, type Outbox } from './outbox.js';
import { postWebhook } from './webhook.js';

export interface ChannelTarget {
  readonly channel: Channel;
  readonly timeoutMs: number;
  readonly retries: number;
}

/** The channel an outbox item names, from the schedules as loaded now (undefined: gone). */
export type ResolveChannel = (ref: ChannelRef) => ChannelTarget | undefined;

export interface SenderOptions {
  readonly outbox: Outbox;
  readonly resolve: ResolveChannel;
  readonly log: (line: string) => void;
  readonly now?: () => number;
  /** Delay before attempt `attempt + 1` after `attempt` failures. */
  readonly backoffMs?: (attempt: number) => number;
  /** How long a claim holds an item (longer than any channel timeout). */
  readonly leaseMs?: number;
  readonly deliver?: (channel: Channel, payload: string, timeoutMs: number) => Promise<void>;
  /** Told about each delivery attempt (the daemon's metrics). */
  readonly onAttempt?: (schedule: string, result: 'sent' | 'failed') => void;
}

const BATCH = 100;

export const defaultBackoff = (attempt: number) => Math.min(2_000 * 2 ** (attempt - 1), 300_000);

export function describeChannel(c: Channel): string {
  return c.kind === 'webhook' ? `webhook ${maskUrl(c.url)}` : `command ${c.argv[0] ?? ''}`;
}

export function deliver(channel: Channel, payload: string, timeoutMs: number): Promise<void> {
  return channel.kind === 'webhook' ? postWebhook(channel.url, payload, timeoutMs) : runNotifyCommand(channel.argv, payload, timeoutMs);
}

export interface DrainResult {
  sent: number;
  retrying: number;
  failed: number;
}

export class NotificationSender {
  readonly #o: Required<Omit<SenderOptions, 'now'>> & { now: () => number };
  #draining: Promise<DrainResult> | undefined;

  constructor(opts: SenderOptions) {
    this.#o = { now: Date.now, backoffMs: defaultBackoff, leaseMs: 10 * 60_000, deliver, onAttempt: () => undefined, ...opts };
  }

  /** Sends what is due; concurrent calls share one pass, so an item is never sent twice at once. */
  drain(): Promise<DrainResult> {
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = undefined;
    });
    return this.#draining;
  }

  async #drain(): Promise<DrainResult> {
    const o = this.#o;
    const result: DrainResult = { sent: 0, retrying: 0, failed: 0 };
    // One claim per pass: an item is tried at most once per drain, whatever its backoff; the caller
    // drains again on its own cadence.
    {
      const items = await o.outbox.claim(o.now(), BATCH, o.leaseMs);
      for (const item of items) {
        const target = o.resolve(item.channel);
        const attempts = item.attempts + 1;
        const what = `schedule=${item.channel.schedule}`;
        if (!target || channelFingerprint(target.channel) !== item.channel.fingerprint) {
          await o.outbox.markFailed(item.id, item.attempts, 'channel removed or changed in the schedule file', undefined);
          o.log(`notification dropped: ${what} channel #${item.channel.index + 1} was removed or changed in the schedule file`);
          result.failed++;
          continue;
        }
        const redact = urlRedactor(target.channel.kind === 'webhook' ? [target.channel.url] : []);
        const channel = describeChannel(target.channel);
        try {
          await o.deliver(target.channel, item.payload, target.timeoutMs);
          await o.outbox.markSent(item.id, attempts, o.now());
          o.log(redact(`notification sent: ${what} ${channel} attempt=${attempts}`));
          o.onAttempt(item.channel.schedule, 'sent');
          result.sent++;
        } catch (err) {
          const reason = redact(err instanceof Error ? err.message : String(err));
          const giveUp = attempts > target.retries;
          const retryAt = giveUp ? undefined : o.now() + o.backoffMs(attempts);
          await o.outbox.markFailed(item.id, attempts, reason, retryAt);
          o.onAttempt(item.channel.schedule, 'failed');
          o.log(
            redact(
              `notification failed: ${what} ${channel} attempt=${attempts}/${target.retries + 1}: ${reason}${
                retryAt === undefined ? '; giving up' : `; retry in ${Math.round((retryAt - o.now()) / 1000)}s`
              }`,
            ),
          );
          if (giveUp) result.failed++;
          else result.retrying++;
        }
      }
    }
    return result;
  }
}
