import { describe, expect, it } from 'vitest';
import { DaemonMetrics } from '../../../src/daemon/metrics.js';

describe('daemon metrics (Prometheus text format)', () => {
  it('reports the last run, hosts by status, failing hosts per check and counters, with label values escaped', () => {
    const m = new DaemonMetrics(1_000_000);
    m.setSchedules(['hourly', 'odd"name\\x']);
    m.run(
      'hourly',
      1_700_000_000_000,
      2500,
      { runId: 7, status: 'completed', hosts: { ok: 3, failed: 1, unreachable: 2 } },
      { 'bridge.mtu': 1 },
    );
    m.fire('hourly', 'skipped');
    m.fire('hourly', 'ran');
    m.notification('hourly', 'failed');
    m.notification('hourly', 'sent');
    const text = m.render();
    expect(text).toContain('fleet_daemon_start_time_seconds 1000\n');
    expect(text).toContain('fleet_schedule_last_run_timestamp_seconds{schedule="hourly"} 1700000000\n');
    expect(text).toContain('fleet_schedule_last_run_duration_seconds{schedule="hourly"} 2.5\n');
    expect(text).toContain('fleet_schedule_last_run_outcome{schedule="hourly",outcome="completed"} 1\n');
    expect(text).toContain('fleet_schedule_last_run_outcome{schedule="hourly",outcome="failed"} 0\n');
    expect(text).toContain('fleet_schedule_hosts{schedule="hourly",status="unreachable"} 2\n');
    expect(text).toContain('fleet_schedule_check_failing_hosts{schedule="hourly",check="bridge.mtu"} 1\n');
    expect(text).toContain('fleet_schedule_runs_total{schedule="hourly",outcome="completed"} 1\n');
    expect(text).toContain('fleet_schedule_fires_skipped_total{schedule="hourly"} 1\n');
    expect(text).toContain('fleet_notifications_failed_total{schedule="hourly"} 1\n');
    expect(text).toContain('fleet_notifications_sent_total{schedule="hourly"} 1\n');
    // A schedule that has not run yet has counters but no last-run samples.
    expect(text).toContain('fleet_schedule_runs_total{schedule="odd\\"name\\\\x",outcome="completed"} 0\n');
    expect(text).not.toContain('fleet_schedule_last_run_timestamp_seconds{schedule="odd');
    // Every family is declared once, with HELP and TYPE before its samples.
    for (const line of text.trimEnd().split('\n')) expect(line).toMatch(/^(# (HELP|TYPE) fleet_\w+ .+|fleet_\w+(\{[^}]*\})? [\d.e+-]+)$/);
  });

  it('a schedule removed by a reload stops being reported', () => {
    const m = new DaemonMetrics();
    m.setSchedules(['a', 'b']);
    m.setSchedules(['b']);
    expect(m.render()).not.toContain('schedule="a"');
    expect(m.render()).toContain('schedule="b"');
  });
});
