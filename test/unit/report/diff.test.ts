import { describe, expect, it } from 'vitest';
import { diffRuns } from '../../../src/report/diff.js';
import { formatDiff } from '../../../src/report/diff-text.js';
import { check, data, fleetCheck, host, run } from './rows.js';

const a = data(
  [host('hv1'), host('hv2', 'failed'), host('hv3'), host('hv4'), host('hv5')],
  [
    check('hv1', 'x', 'pass'),
    check('hv1', 'y', 'pass'),
    check('hv2', 'x', 'fail'),
    check('hv2', 'y', 'pass'),
    check('hv3', 'x', 'pass'),
    check('hv3', 'y', 'warn', { message: 'old' }),
    check('hv4', 'x', 'fail'),
    check('hv5', 'x', 'pass'),
  ],
  [fleetCheck('fleet.duplicate-mac', 'pass', [])],
  run({ id: 1 }),
);
const b = data(
  [host('hv1', 'failed'), host('hv2'), host('hv3'), host('hv4', 'unreachable', 'timeout'), host('hv6')],
  [
    check('hv1', 'x', 'fail'),
    check('hv1', 'y', 'pass'),
    check('hv2', 'x', 'pass'),
    check('hv2', 'y', 'pass'),
    check('hv3', 'x', 'pass'),
    check('hv3', 'y', 'warn', { message: 'new \u001b[31mred' }),
    check('hv6', 'x', 'pass'),
  ],
  [fleetCheck('fleet.duplicate-mac', 'fail', ['hv1', 'hv6'])],
  run({ id: 2 }),
);

describe('diffRuns', () => {
  const d = diffRuns(a, b);
  it('classifies per host and check', () => {
    expect(d.hosts.map((h) => [h.host, h.a, h.b, h.checks.map((c) => `${c.checkId}:${c.kind}`)])).toEqual([
      ['hv1', 'ok', 'failed', ['x:new-failure']],
      ['hv2', 'failed', 'ok', ['x:fixed']],
      ['hv3', 'ok', 'ok', ['y:changed']],
      // Unreachable now: its old failure is not "fixed", it just has no result.
      ['hv4', 'ok', 'unreachable', ['x:disappeared']],
      ['hv5', 'ok', null, ['x:disappeared']],
      ['hv6', null, 'ok', ['x:appeared']],
    ]);
    expect(d.fleet.map((f) => [f.checkId, f.kind])).toEqual([['fleet.duplicate-mac', 'new-failure']]);
    expect(d.summary).toEqual({ newFailures: 2, fixed: 1, changed: 4, hostsChanged: 5 });
  });
  it('prints text with host data made terminal-safe', () => {
    const text = formatDiff(d);
    expect(text).toContain('--- run 1  health-check');
    expect(text).toMatch(/hv1 {2}\[ok -> failed\]/);
    expect(text).toMatch(/NEW FAILURE x +pass -> fail/);
    expect(text).toContain('hosts: hv1, hv6');
    expect(text).not.toContain('\u001b');
    expect(text).toContain('(was: old)');
    expect(text.trimEnd().split('\n').at(-1)).toBe('2 new failures, 1 fixed, 4 other changes, 5 hosts changed status');
  });
  it('says so when nothing differs', () => {
    expect(formatDiff(diffRuns(a, a))).toContain('no differences');
  });
});
