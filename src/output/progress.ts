/**
 * Live progress on a TTY (one line redrawn in place: done/total, ok/failed/unreachable, elapsed, ETA);
 * one plain line per finished host elsewhere (CI, cron, pipes), so logs stay greppable.
 */
import type { HostStatus } from '../core/result.js';
import type { HostOutcome, RunObserver } from '../engine/events.js';
import { oneLine } from './terminal-safe.js';

export interface ProgressOptions {
  readonly stream: NodeJS.WriteStream | NodeJS.WritableStream;
  readonly tty: boolean;
  readonly now?: () => number;
}

export class ProgressObserver implements RunObserver {
  readonly #opts: ProgressOptions;
  #total = 0;
  #done = 0;
  #counts: Record<HostStatus, number> = { ok: 0, changed: 0, failed: 0, unreachable: 0, skipped: 0, unaudited: 0 };
  #started = 0;
  #timer: NodeJS.Timeout | undefined;
  #drawn = false;

  constructor(opts: ProgressOptions) {
    this.#opts = opts;
  }

  onRunStart(info: { runId: number; playbook: string; hosts: readonly string[] }): void {
    this.#total = info.hosts.length;
    this.#started = this.#now();
    if (this.#opts.tty) {
      this.#timer = setInterval(() => this.#draw(), 250);
      this.#timer.unref();
    } else {
      this.#write(`fleet: run ${info.runId} ${oneLine(info.playbook)} on ${this.#total} host(s)\n`);
    }
  }

  onHostDone(host: string, outcome: HostOutcome): void {
    this.#done++;
    this.#counts[outcome.status]++;
    if (this.#opts.tty) {
      // Failures are worth a permanent line even on a TTY; successes only move the counter.
      if (outcome.status === 'failed' || outcome.status === 'unreachable' || outcome.status === 'unaudited') {
        this.#clear();
        this.#write(`${outcome.status.toUpperCase().padEnd(11)} ${oneLine(host)}: ${oneLine(outcome.reason ?? '')}\n`);
      }
      this.#draw();
    } else {
      const reason = outcome.reason ? `: ${oneLine(outcome.reason)}` : '';
      this.#write(`[${this.#done}/${this.#total}] ${outcome.status.padEnd(11)} ${oneLine(host)}${reason}\n`);
    }
  }

  onRunEnd(): void {
    if (this.#timer) clearInterval(this.#timer);
    if (this.#opts.tty) this.#clear();
  }

  /** The status line, exposed for tests. */
  line(): string {
    const elapsed = (this.#now() - this.#started) / 1000;
    const rate = this.#done > 0 ? elapsed / this.#done : 0;
    const eta = this.#done > 0 && this.#done < this.#total ? ` eta ${fmt(rate * (this.#total - this.#done))}` : '';
    const c = this.#counts;
    return `hosts ${this.#done}/${this.#total}  ok ${c.ok + c.changed}  failed ${c.failed}  unreachable ${c.unreachable}  elapsed ${fmt(elapsed)}${eta}`;
  }

  #draw(): void {
    this.#write(`\r\x1b[2K${this.line()}`);
    this.#drawn = true;
  }

  #clear(): void {
    if (this.#drawn) this.#write('\r\x1b[2K');
    this.#drawn = false;
  }

  #write(s: string): void {
    this.#opts.stream.write(s);
  }

  #now(): number {
    return (this.#opts.now ?? Date.now)();
  }
}

function fmt(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const m = Math.floor(seconds / 60);
  return `${m}m${String(Math.round(seconds - m * 60)).padStart(2, '0')}s`;
}
