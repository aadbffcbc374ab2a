import { describe, expect, it } from 'vitest';
import { formatTimings, TimingCollector } from '../../../src/engine/timings.js';

const step = (stepId: string, durationMs: number) =>
  ({ stepId, name: stepId, status: 'ok', changed: false, rc: 0, stdout: '', stderr: '', startedAt: 0, durationMs }) as const;

describe('where a run spent its time', () => {
  it('a host that passes through a phase twice (facts re-gathered after --fix) counts once, with its total', () => {
    const t = new TimingCollector();
    t.onPhase('hv1', { phase: 'facts', durationMs: 1000 });
    t.onPhase('hv1', { phase: 'facts', durationMs: 900 });
    t.onPhase('hv2', { phase: 'facts', durationMs: 1200 });
    expect(t.timings().phases['facts']).toEqual({ totalMs: 3100, hosts: 2, maxMs: 1900, maxHost: 'hv1' });
  });

  it('sums each phase over hosts, names the slowest host per phase and the slowest hosts end to end', () => {
    const t = new TimingCollector();
    t.onPhase('hv1', { phase: 'connect', durationMs: 200 });
    t.onPhase('hv2', { phase: 'connect', durationMs: 1800 });
    // Nobody waited for a handshake slot: recorded, but not worth a place in the recap line.
    t.onPhase('hv1', { phase: 'handshake-wait', durationMs: 0 });
    t.onPhase('hv2', { phase: 'handshake-wait', durationMs: 2 });
    t.onPhase('hv1', { phase: 'facts', durationMs: 400 });
    t.onStep('hv1', step('facts', 650)); // the facts step is timed by its phases, not as a command
    t.onStep('hv1', step('1.2', 120));
    t.onStep('hv1', step('1.3', 80));
    for (let i = 0; i < 30; i++) t.onHostDone(`h${i}`, {}, { startedAt: 0, finishedAt: i * 10 });
    t.onHostDone('never', {}, { startedAt: null, finishedAt: 5 });
    const r = t.timings({ loadMs: 120, dbWriteMs: 35 });
    expect(r.phases).toEqual({
      connect: { totalMs: 2000, hosts: 2, maxMs: 1800, maxHost: 'hv2' },
      'handshake-wait': { totalMs: 2, hosts: 2, maxMs: 2, maxHost: 'hv2' },
      facts: { totalMs: 400, hosts: 1, maxMs: 400, maxHost: 'hv1' },
      remote: { totalMs: 200, hosts: 1, maxMs: 200, maxHost: 'hv1' }, // per host: its commands together
    });
    expect(r.slowest.map((h) => h.host)).toEqual(['h29', 'h28', 'h27', 'h26', 'h25']);
    expect(formatTimings(r)).toBe(
      'time: load 0.12s · connect 1.00s/host (max 1.80s hv2) · facts exec 0.40s/host (max 0.40s hv1) · other commands 0.20s/host (max 0.20s hv1) · db writes 0.04s; slowest: h29 0.29s, h28 0.28s, h27 0.27s, h26 0.26s, h25 0.25s',
    );
  });

  it('says when the handshake window backed off and how many hosts it retried, and nothing when it did not', () => {
    const base = { phases: {}, slowest: [] };
    const adaptive = {
      mode: 'adaptive',
      forks: 200,
      initialWindow: 10,
      peakWindow: 40,
      finalWindow: 20,
      cuts: 2,
      baselineMs: 120,
      windowChanges: [],
      handshakes: 212,
      timeouts: 12,
      retriedHosts: 12,
      retries: 12,
      recoveredHosts: 11,
    } as const;
    expect(formatTimings({ ...base, concurrency: adaptive })).toBe(
      'time: handshake window 10→40→20 of 200 (2 cuts), 12 hosts retried, 11 reached',
    );
    expect(formatTimings({ ...base, concurrency: { ...adaptive, cuts: 0, retriedHosts: 0 } })).toBe('time: ');
    expect(formatTimings({ ...base, concurrency: { mode: 'fixed', forks: 200 } })).toBe('time: ');
  });
});
