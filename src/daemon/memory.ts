/** In-memory locks and history: for tests, and for one process that needs nothing to survive it. */
import type { ScheduleHistory, ScheduleLocks } from './types.js';

export class MemoryLocks implements ScheduleLocks {
  readonly #held = new Map<string, { owner: string; until: number }>();
  constructor(readonly now: () => number = Date.now) {}

  async tryAcquire(name: string, owner: string, leaseMs: number): Promise<boolean> {
    const h = this.#held.get(name);
    if (h && h.owner !== owner && h.until > this.now()) return false;
    this.#held.set(name, { owner, until: this.now() + leaseMs });
    return true;
  }

  async heartbeat(name: string, owner: string, leaseMs: number): Promise<boolean> {
    const h = this.#held.get(name);
    if (!h || h.owner !== owner) return false;
    h.until = this.now() + leaseMs;
    return true;
  }

  async release(name: string, owner: string): Promise<void> {
    if (this.#held.get(name)?.owner === owner) this.#held.delete(name);
  }
}

export interface FireRecord {
  name: string;
  dueAt: number;
  outcome: 'ran' | 'skipped' | 'missed';
  detail: string;
}

export class MemoryHistory implements ScheduleHistory {
  readonly fires: FireRecord[] = [];
  async lastFire(name: string): Promise<number | undefined> {
    return this.fires.filter((f) => f.name === name).at(-1)?.dueAt;
  }
  async recordFire(name: string, dueAt: number, outcome: FireRecord['outcome'], detail: string): Promise<void> {
    this.fires.push({ name, dueAt, outcome, detail });
  }
}
