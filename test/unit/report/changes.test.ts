import { describe, expect, it } from 'vitest';
import type { CheckStatus } from '../../../src/core/check.js';
import type { CheckRow, HostRow } from '../../../src/store/types.js';
import { classifyChanges, classifyHostChanges } from '../../../src/report/changes.js';

function row(host: string, checkId: string, status: CheckStatus, runId = 1): CheckRow {
  return {
    runId,
    host,
    checkId,
    status,
    severity: 'high',
    message: `${checkId} ${status}`,
    evidence: undefined,
    fix: null,
    fixStatus: null,
  };
}

/** Runs oldest→newest for one host × check; null = no result in that run. Returns the change kind. */
function kindOf(seq: (CheckStatus | null)[]): string | undefined {
  const runs = seq.map((s, i) => (s === null ? [] : [row('hv1', 'bridge.mtu', s, i + 1)]));
  const current = runs[runs.length - 1]!;
  const previous = runs.slice(0, -1).reverse();
  return classifyChanges(current, previous)[0]?.kind;
}

describe('classifyChanges', () => {
  it.each([
    [['pass', 'fail'], 'new'],
    [['fail', 'pass'], 'fixed'],
    [['fail', 'fail'], 'still'],
    [['error', 'fail'], 'still'],
    [['warn', 'fail'], 'new'],
    [['fail', 'warn'], 'fixed'],
    [['pass', 'pass'], undefined],
    [['warn', 'warn'], undefined],
    [['fail', 'pass', 'fail'], 'flapping'],
    [['pass', 'fail', 'pass'], 'flapping'],
    [['fail', 'pass', 'fail', 'pass'], 'flapping'],
    [['pass', 'pass', 'pass', 'fail'], 'new'],
    [['fail', 'fail', 'fail', 'pass'], 'fixed'],
    // The host was unreachable last time: compare with the last run that checked it.
    [['fail', null, 'fail'], 'still'],
    [['pass', null, 'fail'], 'new'],
    [['fail', null, 'pass'], 'fixed'],
    [[null, 'fail'], 'new'],
    [['fail', null, 'pass', null, 'fail'], 'flapping'],
  ] as [(CheckStatus | null)[], string | undefined][])('%j -> %s', (seq, kind) => {
    expect(kindOf(seq)).toBe(kind);
  });

  it('reports the last known status, the full history, and one change per host × check even with several rows', () => {
    const prev = [row('hv1', 'a', 'pass'), row('hv2', 'a', 'fail')];
    const cur = [row('hv1', 'a', 'pass'), row('hv1', 'a', 'fail'), row('hv2', 'a', 'pass')];
    const out = classifyChanges(cur, [prev]);
    expect(out).toEqual([
      { host: 'hv1', checkId: 'a', kind: 'new', severity: 'high', before: 'pass', now: 'fail', history: ['pass', 'fail'] },
      { host: 'hv2', checkId: 'a', kind: 'fixed', severity: 'high', before: 'fail', now: 'pass', history: ['fail', 'pass'] },
    ]);
  });

  it('does not call a check fixed when this run has no result for it', () => {
    expect(classifyChanges([], [[row('hv1', 'a', 'fail')]])).toEqual([]);
  });
});

describe('classifyHostChanges', () => {
  const host = (name: string, status: HostRow['status']): HostRow => ({
    runId: 1,
    host: name,
    status,
    reason: status === 'unreachable' ? 'timeout' : null,
    startedAt: null,
    finishedAt: null,
  });
  it('lists hosts that stopped or started answering', () => {
    const prev = [host('a', 'ok'), host('b', 'unreachable'), host('c', 'unreachable'), host('d', 'failed')];
    const cur = [host('a', 'unreachable'), host('b', 'ok'), host('c', 'unreachable'), host('d', 'ok'), host('e', 'unreachable')];
    expect(classifyHostChanges(cur, prev).map((c) => [c.host, c.kind, c.before])).toEqual([
      ['a', 'unreachable', 'ok'],
      ['b', 'reachable', 'unreachable'],
      ['e', 'unreachable', null],
    ]);
  });
});
