/**
 * The daemon's Prometheus metrics (text exposition format 0.0.4): per schedule the last run's time,
 * duration and outcome, hosts by status, failing hosts per check id, and counters of runs, skipped and
 * missed fires and notifications. Kept in memory from the daemon's own events; rendered on demand for
 * /metrics or written to a node_exporter textfile.
 */
import type { RunOutcome } from './types.js';

interface PerSchedule {
  lastRunAt?: number;
  lastDurationMs?: number;
  lastOutcome?: RunOutcome['status'];
  hosts?: RunOutcome['hosts'];
  failingHostsByCheck: Record<string, number>;
  runs: Record<RunOutcome['status'], number>;
  fires: Record<'skipped' | 'missed', number>;
  notifications: Record<'sent' | 'failed', number>;
}

const OUTCOMES: RunOutcome['status'][] = ['completed', 'failed', 'interrupted'];

/** Label values may hold anything a schedule or check is named: escape as the format requires. */
const label = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export class DaemonMetrics {
  readonly #by = new Map<string, PerSchedule>();
  constructor(readonly startedAt: number = Date.now()) {}

  #of(name: string): PerSchedule {
    let m = this.#by.get(name);
    if (!m)
      this.#by.set(
        name,
        (m = {
          failingHostsByCheck: {},
          runs: { completed: 0, failed: 0, interrupted: 0 },
          fires: { skipped: 0, missed: 0 },
          notifications: { sent: 0, failed: 0 },
        }),
      );
    return m;
  }

  /** Schedules that exist now (a reload may add or remove some: removed ones stop being reported). */
  setSchedules(names: readonly string[]): void {
    for (const n of names) this.#of(n);
    for (const n of [...this.#by.keys()]) if (!names.includes(n)) this.#by.delete(n);
  }

  run(name: string, startedAt: number, durationMs: number, outcome: RunOutcome, failingHostsByCheck: Record<string, number>): void {
    const m = this.#of(name);
    Object.assign(m, { lastRunAt: startedAt, lastDurationMs: durationMs, lastOutcome: outcome.status, hosts: outcome.hosts });
    m.failingHostsByCheck = failingHostsByCheck;
    m.runs[outcome.status]++;
  }

  fire(name: string, outcome: 'ran' | 'skipped' | 'missed'): void {
    if (outcome !== 'ran') this.#of(name).fires[outcome]++;
  }

  notification(name: string, result: 'sent' | 'failed'): void {
    this.#of(name).notifications[result]++;
  }

  render(): string {
    const out: string[] = [];
    const family = (name: string, type: 'gauge' | 'counter', help: string, samples: string[]) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...samples);
    };
    const each = (fn: (s: string, m: PerSchedule) => string[]) => [...this.#by].flatMap(([s, m]) => fn(label(s), m));
    family('fleet_daemon_start_time_seconds', 'gauge', 'When this daemon started (Unix time).', [
      `fleet_daemon_start_time_seconds ${this.startedAt / 1000}`,
    ]);
    family('fleet_schedule_last_run_timestamp_seconds', 'gauge', 'Start of the last run of the schedule (Unix time).', [
      ...each((s, m) =>
        m.lastRunAt === undefined ? [] : [`fleet_schedule_last_run_timestamp_seconds{schedule="${s}"} ${m.lastRunAt / 1000}`],
      ),
    ]);
    family('fleet_schedule_last_run_duration_seconds', 'gauge', 'Duration of the last run of the schedule.', [
      ...each((s, m) =>
        m.lastDurationMs === undefined ? [] : [`fleet_schedule_last_run_duration_seconds{schedule="${s}"} ${m.lastDurationMs / 1000}`],
      ),
    ]);
    family('fleet_schedule_last_run_outcome', 'gauge', '1 for the outcome of the last run of the schedule, 0 for the others.', [
      ...each((s, m) =>
        m.lastOutcome === undefined
          ? []
          : OUTCOMES.map((o) => `fleet_schedule_last_run_outcome{schedule="${s}",outcome="${o}"} ${o === m.lastOutcome ? 1 : 0}`),
      ),
    ]);
    family('fleet_schedule_hosts', 'gauge', 'Hosts of the last run of the schedule by status.', [
      ...each((s, m) =>
        m.hosts === undefined
          ? []
          : (['ok', 'failed', 'unreachable'] as const).map((k) => `fleet_schedule_hosts{schedule="${s}",status="${k}"} ${m.hosts![k]}`),
      ),
    ]);
    family('fleet_schedule_check_failing_hosts', 'gauge', 'Hosts on which the check failed (fail or error) in the last run.', [
      ...each((s, m) =>
        Object.entries(m.failingHostsByCheck)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([c, n]) => `fleet_schedule_check_failing_hosts{schedule="${s}",check="${label(c)}"} ${n}`),
      ),
    ]);
    family('fleet_schedule_runs_total', 'counter', 'Runs of the schedule by this daemon, by outcome.', [
      ...each((s, m) => OUTCOMES.map((o) => `fleet_schedule_runs_total{schedule="${s}",outcome="${o}"} ${m.runs[o]}`)),
    ]);
    family('fleet_schedule_fires_skipped_total', 'counter', 'Fires skipped (overlap, or another fleet held the lock).', [
      ...each((s, m) => [`fleet_schedule_fires_skipped_total{schedule="${s}"} ${m.fires.skipped}`]),
    ]);
    family('fleet_schedule_fires_missed_total', 'counter', 'Fires missed while no daemon ran (recorded at start-up).', [
      ...each((s, m) => [`fleet_schedule_fires_missed_total{schedule="${s}"} ${m.fires.missed}`]),
    ]);
    family('fleet_notifications_sent_total', 'counter', 'Notifications delivered.', [
      ...each((s, m) => [`fleet_notifications_sent_total{schedule="${s}"} ${m.notifications.sent}`]),
    ]);
    family('fleet_notifications_failed_total', 'counter', 'Notification attempts that failed (each retry counts).', [
      ...each((s, m) => [`fleet_notifications_failed_total{schedule="${s}"} ${m.notifications.failed}`]),
    ]);
    return `${out.join('\n')}\n`;
  }
}
