import { describe, expect, it } from 'vitest';
import { rankFailingChecks } from '../../../src/report/rank.js';
import { computeTiles } from '../../../src/report/tiles.js';
import { check, data, fleetCheck, host, run } from './rows.js';

describe('rankFailingChecks', () => {
  it('ranks by hosts affected, then severity, then id; counts each host once; ignores warn', () => {
    const checks = [
      check('a', 'x.low', 'fail', { severity: 'low' }),
      check('b', 'x.low', 'fail', { severity: 'low' }),
      check('c', 'x.low', 'error', { severity: 'low' }),
      check('a', 'y.crit', 'fail', { severity: 'critical' }),
      check('a', 'y.crit', 'fail', { severity: 'critical' }),
      check('a', 'z.high', 'fail', { severity: 'high' }),
      check('b', 'w.warn', 'warn'),
      check('c', 'p.pass', 'pass'),
      check('d', 'm.mixed', 'fail', { severity: 'medium' }),
      check('e', 'm.mixed', 'fail', { severity: 'critical' }),
      check('f', 'm.mixed', 'fail', { severity: 'low' }),
    ];
    expect(rankFailingChecks(checks).map((r) => [r.checkId, r.severity, r.hosts])).toEqual([
      ['m.mixed', 'critical', ['d', 'e', 'f']],
      ['x.low', 'low', ['a', 'b', 'c']],
      ['y.crit', 'critical', ['a']],
      ['z.high', 'high', ['a']],
    ]);
  });
});

describe('computeTiles', () => {
  it('counts hosts by status, fixed hosts, failing check ids and fleet findings', () => {
    const d = data(
      [host('a', 'ok'), host('b', 'changed'), host('c', 'failed'), host('d', 'unreachable'), host('e', 'skipped')],
      [
        check('a', 'x', 'pass'),
        check('b', 'x', 'pass', { fixStatus: 'fixed' }),
        check('b', 'y', 'pass', { fixStatus: 'fixed' }),
        check('c', 'x', 'fail'),
        check('c', 'y', 'error'),
        check('c', 'z', 'warn'),
      ],
      [fleetCheck('f1', 'fail', ['a']), fleetCheck('f2', 'pass', []), fleetCheck('f3', 'warn', ['b'])],
    );
    expect(computeTiles(d)).toEqual({
      hosts: 5,
      ok: 2,
      failing: 1,
      unreachable: 1,
      skipped: 1,
      fixed: 1,
      checksFailing: 2,
      resultsFailing: 2,
      fleetFindings: 2,
      durationMs: 61_500,
    });
  });
  it('has no duration for a run that never finished', () => {
    expect(computeTiles(data([], [], [], run({ finishedAt: null, status: 'interrupted' }))).durationMs).toBeNull();
  });
});
