/** From a schedule's notify: section to outbox items, and back from an item to its channel. */
import type { Schedule } from '../schedule/types.js';
import type { Notification } from './message.js';
import { channelFingerprint, type Outbox } from './outbox.js';
import type { ResolveChannel } from './sender.js';

/** One outbox item per channel of the schedule (none when it has no notify: section). */
export async function enqueueNotification(outbox: Outbox, schedule: Schedule, n: Notification, now: number): Promise<number> {
  const channels = schedule.notify?.channels ?? [];
  const payload = JSON.stringify(n);
  await outbox.enqueue(
    channels.map((c, index) => ({ channel: { schedule: schedule.name, index, fingerprint: channelFingerprint(c) }, payload })),
    now,
  );
  return channels.length;
}

/** Resolves items against the schedules as they are now (a reload may have changed them). */
export function channelResolver(current: () => readonly Schedule[]): ResolveChannel {
  return (ref) => {
    const s = current().find((x) => x.name === ref.schedule);
    const channel = s?.notify?.channels[ref.index];
    if (!s?.notify || !channel) return undefined;
    return { channel, timeoutMs: s.notify.timeoutMs, retries: s.notify.retries };
  };
}
