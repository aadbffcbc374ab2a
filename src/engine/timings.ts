/**
 * Where a run's time went, from its own events: per phase (connect = TCP + SSH handshake, remote =
 * commands running on hosts, parse = facts parsing on the controller) the sum over hosts, the
 * slowest host and its time, plus the slowest hosts end to end. The CLI adds what happens outside
 * the run (inventory load, DB writes) and prints it in the recap, `--json` and `fleet show`.
 */
import type { ConcurrencyReport, HostTimes, PhaseTiming, PhaseTotal, RunObserver, RunTimings } from './events.js';

export type { PhaseTotal, RunTimings } from './events.js';
import type { StepResult } from '../core/result.js';

const SLOWEST = 5;

export class TimingCollector implements RunObserver {
  /** Per phase, each host's time in it (a host may pass through a phase more than once: re-gathered facts). */
  readonly #phases = new Map<string, Map<string, number>>();
  readonly #hostMs: { host: string; ms: number }[] = [];

  #add(host: string, phase: string, ms: number): void {
    let p = this.#phases.get(phase);
    if (!p) this.#phases.set(phase, (p = new Map()));
    p.set(host, (p.get(host) ?? 0) + ms);
  }

  onPhase(host: string, t: PhaseTiming): void {
    this.#add(host, t.phase, t.durationMs);
  }

  onStep(host: string, step: StepResult): void {
    // The facts exec is timed on its own (phase 'facts'); every other step is a command on the host.
    if (step.stepId !== 'facts') this.#add(host, 'remote', step.durationMs);
  }

  onHostDone(host: string, _outcome: unknown, times: HostTimes): void {
    if (times.startedAt === null) return;
    this.#hostMs.push({ host, ms: times.finishedAt - times.startedAt });
    // Keep only the slowest few: a 10,000-host run must not keep 10,000 entries for this.
    if (this.#hostMs.length > SLOWEST * 4) this.#trim();
  }

  #trim(): void {
    this.#hostMs.sort((a, b) => b.ms - a.ms);
    this.#hostMs.length = Math.min(this.#hostMs.length, SLOWEST);
  }

  timings(extra: { loadMs?: number; dbWriteMs?: number; concurrency?: ConcurrencyReport } = {}): RunTimings {
    this.#trim();
    const phases: Record<string, PhaseTotal> = {};
    for (const [name, byHost] of this.#phases) {
      let totalMs = 0;
      let maxMs = -1;
      let maxHost = '';
      for (const [host, ms] of byHost) {
        totalMs += ms;
        if (ms > maxMs) [maxMs, maxHost] = [ms, host];
      }
      phases[name] = { totalMs, hosts: byHost.size, maxMs, maxHost };
    }
    return { phases, slowest: [...this.#hostMs], ...extra };
  }
}

const s = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
const PHASE_ORDER = ['connect', 'handshake-wait', 'facts', 'parse', 'remote'];
const PHASE_NAMES: Record<string, string> = { facts: 'facts exec', remote: 'other commands', 'handshake-wait': 'handshake wait' };

/** One line for the recap and `fleet show`: "time: load 0.12s · connect … · db writes … · slowest: …". */
export function formatTimings(t: RunTimings): string {
  const parts: string[] = [];
  if (t.loadMs !== undefined) parts.push(`load ${s(t.loadMs)}`);
  const names = [
    ...PHASE_ORDER.filter((p) => t.phases[p]),
    ...Object.keys(t.phases)
      .filter((p) => !PHASE_ORDER.includes(p))
      .sort(),
  ];
  for (const name of names) {
    const p = t.phases[name]!;
    // A phase no host spent measurable time in (nobody waited for a handshake slot) is noise here;
    // --json and the store keep it.
    if (p.maxMs < 5) continue;
    const per = p.hosts > 0 ? p.totalMs / p.hosts : 0;
    parts.push(`${PHASE_NAMES[name] ?? name} ${s(per)}/host (max ${s(p.maxMs)} ${p.maxHost})`);
  }
  const backoff = t.concurrency ? formatBackoff(t.concurrency) : undefined;
  if (backoff) parts.push(backoff);
  if (t.dbWriteMs !== undefined) parts.push(`db writes ${s(t.dbWriteMs)}`);
  const slow = t.slowest.length ? `; slowest: ${t.slowest.map((h) => `${h.host} ${s(h.ms)}`).join(', ')}` : '';
  return `time: ${parts.join(' · ')}${slow}`;
}

/** "handshake window 10→40→20 of 200 (2 cuts), 12 hosts retried, 12 reached": only when it backed off or retried. */
function formatBackoff(c: ConcurrencyReport): string | undefined {
  if (c.mode !== 'adaptive' || (c.cuts === 0 && c.retriedHosts === 0)) return undefined;
  const path = [c.initialWindow, ...(c.peakWindow !== c.initialWindow ? [c.peakWindow] : []), c.finalWindow];
  const retried = c.retriedHosts ? `, ${c.retriedHosts} hosts retried, ${c.recoveredHosts} reached` : '';
  return `handshake window ${path.join('→')} of ${c.forks} (${c.cuts} ${c.cuts === 1 ? 'cut' : 'cuts'})${retried}`;
}
