import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CheckStatus } from '../../../src/core/check.js';
import type { HostStatus } from '../../../src/core/result.js';
import { HOST_KEY, INITIAL, advance, advanceRun, type AlertState } from '../../../src/schedule/alerts.js';
import { compareRuns } from '../../../src/schedule/changes.js';
import type { RunView } from '../../../src/schedule/run-view.js';

type Spec = Record<string, HostStatus | Record<string, CheckStatus>>;
let nextId = 1;
/** `{hv1: {'bridge.up': 'fail'}, hv2: 'unreachable'}` → a RunView. */
function run(spec: Spec): RunView {
  const hosts = new Map(
    Object.entries(spec).map(([h, v]) =>
      typeof v === 'string'
        ? [h, { status: v, checks: new Map() }]
        : [
            h,
            {
              status: Object.values(v).some((s) => s === 'fail' || s === 'error') ? ('failed' as const) : ('ok' as const),
              checks: new Map(Object.entries(v).map(([c, s]) => [c, { status: s, message: `${c} is ${s}` }])),
            },
          ],
    ),
  );
  return { runId: nextId++, hosts };
}

describe('compareRuns', () => {
  it('reports new failures, recoveries, newly unreachable and reachable again', () => {
    const prev = run({ hv1: { 'bridge.up': 'fail', 'nic.link': 'pass' }, hv2: 'unreachable', hv3: { 'bridge.up': 'pass' } });
    const cur = run({ hv1: { 'bridge.up': 'pass', 'nic.link': 'error' }, hv2: { 'bridge.up': 'pass' }, hv3: 'unreachable' });
    expect(compareRuns(prev, cur)).toEqual({
      newFailing: [{ host: 'hv1', check: 'nic.link', status: 'error', message: 'nic.link is error' }],
      recovered: [{ host: 'hv1', check: 'bridge.up', status: 'pass' }],
      newlyUnreachable: ['hv3'],
      reachableAgain: ['hv2'],
    });
  });

  it('says nothing when nothing changed, a still-failing check included', () => {
    const a = run({ hv1: { 'bridge.up': 'fail', 'sysctl.ip-forward': 'warn' }, hv2: 'unreachable' });
    const b = run({ hv1: { 'bridge.up': 'fail', 'sysctl.ip-forward': 'warn' }, hv2: 'unreachable' });
    expect(compareRuns(a, b)).toEqual({ newFailing: [], recovered: [], newlyUnreachable: [], reachableAgain: [] });
  });

  it('an unreachable host has unknown checks, not recovered ones; a skipped check is not a recovery', () => {
    const c = compareRuns(run({ hv1: { 'bridge.up': 'fail', 'nic.link': 'fail' } }), run({ hv1: { 'nic.link': 'skipped' } }));
    expect(c.recovered).toEqual([]);
    expect(compareRuns(run({ hv1: { 'bridge.up': 'fail' } }), run({ hv1: 'unreachable' })).recovered).toEqual([]);
  });

  it('with no previous run every failure is new', () => {
    const c = compareRuns(undefined, run({ hv1: { 'bridge.up': 'fail' }, hv2: 'unreachable' }));
    expect(c.newFailing.map((x) => x.check)).toEqual(['bridge.up']);
    expect(c.newlyUnreachable).toEqual(['hv2']);
  });
});

describe('alert state', () => {
  const H = 3_600_000;
  it('after: N announces only the Nth consecutive failing run; a pass in between starts again', () => {
    const p = { after: 3, remindMs: undefined };
    let s: AlertState = INITIAL;
    const events: (string | undefined)[] = [];
    for (const obs of ['failing', 'failing', 'ok', 'failing', 'failing', 'unknown', 'failing', 'failing', 'ok'] as const) {
      const r = advance(s, obs, 0, p);
      s = r.state;
      events.push(r.event);
    }
    expect(events).toEqual([undefined, undefined, undefined, undefined, undefined, undefined, 'new', undefined, 'recovered']);
  });

  it('a failure never announced recovers silently', () => {
    const r1 = advance(INITIAL, 'failing', 0, { after: 2, remindMs: undefined });
    expect(advance(r1.state, 'ok', 0, { after: 2, remindMs: undefined }).event).toBeUndefined();
  });

  it('remind repeats a still-open problem at most that often', () => {
    const p = { after: 1, remindMs: 24 * H };
    let s: AlertState = INITIAL;
    const at = (h: number, obs: 'failing' | 'ok' = 'failing') => {
      const r = advance(s, obs, h * H, p);
      s = r.state;
      return r.event;
    };
    expect([at(0), at(1), at(23), at(24), at(30), at(47), at(48), at(49, 'ok'), at(50)]).toEqual([
      'new',
      undefined,
      undefined,
      'reminder',
      undefined,
      undefined,
      'reminder',
      'recovered',
      'new',
    ]);
  });

  it('advanceRun: one event per change, nothing in between, reachability keyed by the host', () => {
    const policy = { after: 1, remindMs: undefined };
    let states = new Map<string, AlertState>();
    const step = (spec: Spec) => {
      const r = advanceRun(states, run(spec), 0, policy);
      states = r.states;
      return r.events.map((e) => `${e.host}/${e.check || 'host'} ${e.event}`);
    };
    expect(step({ hv1: { 'bridge.up': 'pass' }, hv2: { 'bridge.up': 'pass' } })).toEqual([]);
    expect(step({ hv1: { 'bridge.up': 'fail' }, hv2: 'unreachable' })).toEqual(['hv1/bridge.up new', 'hv2/host new']);
    expect(step({ hv1: { 'bridge.up': 'fail' }, hv2: 'unreachable' })).toEqual([]);
    // hv1 is down while its check would have recovered: nothing is said about the check then.
    expect(step({ hv1: 'unreachable', hv2: { 'bridge.up': 'pass' } })).toEqual(['hv1/host new', 'hv2/host recovered']);
    expect(step({ hv1: { 'bridge.up': 'pass' }, hv2: { 'bridge.up': 'pass' } })).toEqual(['hv1/host recovered', 'hv1/bridge.up recovered']);
    // Records back at rest are dropped: the state table does not grow with history.
    expect(states.size).toBe(0);
    expect(HOST_KEY).toBe('');
  });

  it('with after 1 and no reminders, announces exactly what compareRuns reports between consecutive runs', () => {
    const status = fc.constantFrom<CheckStatus>('pass', 'fail', 'warn', 'error');
    const oneRun = fc.record({ hv1: fc.record({ a: status, b: status }), hv2: fc.record({ a: status, b: status }) });
    fc.assert(
      fc.property(fc.array(oneRun, { minLength: 1, maxLength: 8 }), (runs) => {
        let states = new Map<string, AlertState>();
        let prev: RunView | undefined;
        for (const spec of runs) {
          const cur = run(spec);
          const r = advanceRun(states, cur, 0, { after: 1, remindMs: undefined });
          states = r.states;
          const c = compareRuns(prev, cur);
          const expected = [
            ...c.newFailing.map((x) => `${x.host}/${x.check} new`),
            ...c.recovered.map((x) => `${x.host}/${x.check} recovered`),
          ];
          expect(r.events.map((e) => `${e.host}/${e.check} ${e.event}`).sort()).toEqual(expected.sort());
          prev = cur;
        }
      }),
    );
  });
});
