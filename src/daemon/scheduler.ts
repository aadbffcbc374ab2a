/**
 * The daemon's scheduling loop: one timer per schedule for its next fire (croner's times, or the
 * `every:` grid), plus a random jitter; a fire while the previous run still goes is skipped or
 * queued (at most one) per the schedule's overlap policy; fires missed while no daemon ran are
 * recorded `missed` or caught up once at start-up; each run holds the schedule's lock (heartbeat
 * while it runs), so two daemons never run a schedule at once. stop() stops firing, lets running
 * runs finish within the grace period, then aborts them (they are recorded `interrupted`).
 * reload() swaps in a new set of schedules; a running run finishes with the definition it began with.
 * Every event is one plain log line.
 */
import { nextFires } from '../schedule/fires.js';
import type { Schedule } from '../schedule/types.js';
import { holdingLock } from './lease.js';
import type { RunOutcome, RunSchedule, ScheduleHistory, ScheduleLocks } from './types.js';

/** setTimeout's limit (~24.8 days): a later fire is reached in several waits. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const MISSED_SCAN_LIMIT = 10_000;

export interface SchedulerOptions {
  readonly runSchedule: RunSchedule;
  readonly locks: ScheduleLocks;
  readonly history: ScheduleHistory;
  /** This daemon's identity in lock rows (host:pid:start). */
  readonly owner: string;
  readonly log: (line: string) => void;
  readonly graceMs: number;
  readonly leaseMs?: number;
  readonly random?: () => number;
  readonly now?: () => number;
}

interface Slot {
  schedule: Schedule;
  timer: NodeJS.Timeout | undefined;
  running: Promise<void> | undefined;
  controller: AbortController | undefined;
  /** A fire that waits for the running run (overlap: queue); its due time. */
  queued: number | undefined;
  removed: boolean;
}

const iso = (ms: number) => new Date(ms).toISOString();

export class Scheduler {
  readonly #o: Required<SchedulerOptions>;
  readonly #slots = new Map<string, Slot>();
  #stopping = false;

  constructor(opts: SchedulerOptions) {
    this.#o = { leaseMs: 60_000, random: Math.random, now: Date.now, ...opts };
  }

  /** Starts every schedule, first applying the missed-run policy to fires missed since the last one. */
  async start(schedules: readonly Schedule[]): Promise<void> {
    this.#o.log(
      `daemon started: ${schedules.length} schedule${schedules.length === 1 ? '' : 's'} (${schedules.map((s) => s.name).join(', ')})`,
    );
    for (const s of schedules) await this.#add(s, true);
  }

  /** Replaces the schedules. Unchanged ones keep their timers; removed ones stop firing. */
  async reload(schedules: readonly Schedule[]): Promise<void> {
    const names = new Set(schedules.map((s) => s.name));
    for (const [name, slot] of this.#slots)
      if (!names.has(name)) {
        clearTimeout(slot.timer);
        slot.removed = true;
        this.#slots.delete(name);
        this.#o.log(`schedule=${name} removed${slot.running ? ' (its running run finishes)' : ''}`);
      }
    for (const s of schedules) {
      const slot = this.#slots.get(s.name);
      if (!slot) await this.#add(s, false);
      else if (JSON.stringify(slot.schedule) !== JSON.stringify(s)) {
        slot.schedule = s;
        clearTimeout(slot.timer);
        this.#arm(slot, this.#o.now());
        this.#o.log(`schedule=${s.name} changed`);
      }
    }
    this.#o.log(`reloaded: ${schedules.length} schedule${schedules.length === 1 ? '' : 's'}`);
  }

  /** SIGHUP: loads the schedule file again; a broken file is refused and the current schedules keep running. */
  async reloadFrom(load: () => Promise<Schedule[]>): Promise<boolean> {
    let schedules: Schedule[];
    try {
      schedules = await load();
    } catch (err) {
      this.#o.log(`reload refused, keeping the ${this.#slots.size} current schedules: ${err instanceof Error ? err.message : String(err)}`);
      return false;
    }
    await this.reload(schedules);
    return true;
  }

  /** Names and next due times, for status and metrics. */
  get schedules(): Schedule[] {
    return [...this.#slots.values()].map((s) => s.schedule);
  }

  /** Stops firing; running runs get `graceMs` to finish, then are aborted. Resolves when all are done. */
  async stop(reason: string): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    for (const slot of this.#slots.values()) {
      clearTimeout(slot.timer);
      slot.queued = undefined;
    }
    const running = [...this.#slots.values()].filter((s) => s.running);
    this.#o.log(
      `stopping (${reason}): ${running.length} run${running.length === 1 ? '' : 's'} in progress, grace ${Math.round(this.#o.graceMs / 1000)}s`,
    );
    const all = Promise.all(running.map((s) => s.running));
    let graceTimer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'timeout'>((r) => (graceTimer = setTimeout(() => r('timeout'), this.#o.graceMs)));
    if ((await Promise.race([all, graceOver])) === 'timeout') {
      for (const s of running)
        if (s.running) {
          this.#o.log(`schedule=${s.schedule.name} grace period over: interrupting the run`);
          s.controller?.abort();
        }
      await all;
    }
    clearTimeout(graceTimer);
    this.#o.log('daemon stopped');
  }

  async #add(schedule: Schedule, startup: boolean): Promise<void> {
    const slot: Slot = { schedule, timer: undefined, running: undefined, controller: undefined, queued: undefined, removed: false };
    this.#slots.set(schedule.name, slot);
    const now = this.#o.now();
    const last = startup ? await this.#o.history.lastFire(schedule.name) : undefined;
    if (last !== undefined) {
      const missed = nextFires(schedule.trigger, new Date(last), MISSED_SCAN_LIMIT).filter((d) => d.getTime() <= now);
      if (missed.length > 0) {
        const first = missed[0]!.getTime();
        const count = `${missed.length}${missed.length === MISSED_SCAN_LIMIT ? '+' : ''}`;
        if (schedule.missed === 'run-once') {
          this.#o.log(`schedule=${schedule.name} missed ${count} fire(s) since ${iso(first)}: running once now (missed: run-once)`);
          this.#fire(slot, missed.at(-1)!.getTime());
        } else {
          this.#o.log(`schedule=${schedule.name} missed ${count} fire(s) since ${iso(first)} (missed: skip)`);
          await this.#record(schedule.name, missed.at(-1)!.getTime(), 'missed', `${count} fire(s) since ${iso(first)}`);
        }
      }
    }
    this.#arm(slot, now);
  }

  /** Sets the timer for the first fire after `from`. */
  #arm(slot: Slot, from: number): void {
    if (this.#stopping || slot.removed) return;
    const due = nextFires(slot.schedule.trigger, new Date(from), 1)[0]?.getTime();
    if (due === undefined) return;
    const jitter = slot.schedule.jitterMs > 0 ? Math.floor(this.#o.random() * slot.schedule.jitterMs) : 0;
    const wait = (at: number) => {
      const delay = at - this.#o.now();
      slot.timer = setTimeout(
        () => (delay > MAX_TIMER_MS ? wait(at) : this.#onTimer(slot, due)),
        Math.min(Math.max(delay, 0), MAX_TIMER_MS),
      );
    };
    wait(due + jitter);
  }

  #onTimer(slot: Slot, due: number): void {
    this.#arm(slot, due);
    this.#fire(slot, due);
  }

  #fire(slot: Slot, due: number): void {
    if (this.#stopping || slot.removed) return;
    const name = slot.schedule.name;
    if (slot.running) {
      if (slot.schedule.overlap === 'queue' && slot.queued === undefined) {
        slot.queued = due;
        this.#o.log(`schedule=${name} fire due ${iso(due)} queued: the previous run is still going (overlap: queue)`);
      } else {
        const why = slot.schedule.overlap === 'queue' ? 'a fire is already queued' : 'the previous run is still going (overlap: skip)';
        this.#o.log(`schedule=${name} fire due ${iso(due)} skipped: ${why}`);
        void this.#record(name, due, 'skipped', why);
      }
      return;
    }
    slot.running = this.#run(slot, due).finally(() => {
      slot.running = undefined;
      slot.controller = undefined;
      const q = slot.queued;
      slot.queued = undefined;
      if (q !== undefined) this.#fire(slot, q);
    });
  }

  async #run(slot: Slot, due: number): Promise<void> {
    const o = this.#o;
    const schedule = slot.schedule;
    const name = schedule.name;
    const controller = new AbortController();
    slot.controller = controller;
    const started = o.now();
    try {
      const held = await holdingLock(
        o.locks,
        name,
        o.owner,
        { leaseMs: o.leaseMs, log: o.log, signal: controller.signal },
        async (signal) => {
          o.log(`schedule=${name} fired (due ${iso(due)})`);
          await this.#record(name, due, 'ran', '');
          return o.runSchedule(schedule, signal, due);
        },
      );
      if (!held.acquired) {
        o.log(`schedule=${name} fire due ${iso(due)} skipped: another fleet holds its lock`);
        await this.#record(name, due, 'skipped', 'another fleet holds the lock');
        return;
      }
      o.log(`schedule=${name} ${describeOutcome(held.value)} took=${((o.now() - started) / 1000).toFixed(1)}s`);
    } catch (err) {
      // A run that throws (or a lock that cannot be taken) is logged, never fatal: the next fire is already armed.
      o.log(`schedule=${name} run failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  async #record(name: string, due: number, outcome: 'ran' | 'skipped' | 'missed', detail: string): Promise<void> {
    try {
      await this.#o.history.recordFire(name, due, outcome, detail);
    } catch (err) {
      this.#o.log(`schedule=${name} could not record the ${outcome} fire: ${(err as Error).message}`);
    }
  }
}

/** A run's outcome as the daemon and `fleet schedule run` log it: run=ID STATUS ok=N failed=N unreachable=N. */
export function describeOutcome(o: RunOutcome): string {
  return `run=${o.runId ?? '-'} ${o.status} ok=${o.hosts.ok} failed=${o.hosts.failed} unreachable=${o.hosts.unreachable}`;
}
