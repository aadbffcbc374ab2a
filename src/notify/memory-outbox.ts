/** An Outbox in memory: for tests, and for `fleet schedule run` without a store. */
import type { ChannelRef, Outbox, OutboxItem } from './outbox.js';

export class MemoryOutbox implements Outbox {
  readonly #items = new Map<number, OutboxItem>();
  #nextId = 1;

  async enqueue(items: readonly { channel: ChannelRef; payload: string }[], now: number): Promise<void> {
    for (const { channel, payload } of items) {
      const id = this.#nextId++;
      this.#items.set(id, { id, channel, payload, state: 'pending', attempts: 0, nextTryAt: now, lastError: undefined, createdAt: now });
    }
  }

  async claim(now: number, limit: number, leaseMs: number): Promise<OutboxItem[]> {
    const due = [...this.#items.values()].filter((i) => i.state === 'pending' && i.nextTryAt <= now).slice(0, limit);
    for (const i of due) this.#items.set(i.id, { ...i, nextTryAt: now + leaseMs });
    return due;
  }

  async markSent(id: number, attempts: number): Promise<void> {
    this.#update(id, { state: 'sent', attempts, lastError: undefined });
  }

  async markFailed(id: number, attempts: number, error: string, retryAt: number | undefined): Promise<void> {
    this.#update(
      id,
      retryAt === undefined ? { state: 'failed', attempts, lastError: error } : { attempts, lastError: error, nextTryAt: retryAt },
    );
  }

  /** Everything, for assertions. */
  all(): OutboxItem[] {
    return [...this.#items.values()];
  }

  #update(id: number, patch: Partial<OutboxItem>): void {
    const i = this.#items.get(id);
    if (i) this.#items.set(id, { ...i, ...patch });
  }
}
