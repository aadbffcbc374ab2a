import { describe, expect, it } from 'vitest';
import type { CheckResult, FixStatus } from '../../../src/core/check.js';
import { makeRedactor } from '../../../src/core/redact.js';
import { redactingObserver } from '../../../src/output/redacting-observer.js';

describe('redactingObserver', () => {
  it('masks secrets at any depth and hands terminal observers checks without evidence', () => {
    const seen: Array<[string, CheckResult, FixStatus | null]> = [];
    const reasons: string[] = [];
    const wrapped = redactingObserver(
      {
        onCheck: (host, check, fix) => seen.push([host, check, fix]),
        onHostDone: (_host, outcome) => reasons.push(outcome.reason ?? ''),
      },
      makeRedactor(['hunter2']),
    );
    const check: CheckResult = {
      id: 'bridge.up',
      status: 'fail',
      severity: 'high',
      message: 'password hunter2 echoed',
      evidence: { big: 'x'.repeat(10), nested: ['hunter2'] },
      fix: 'ip link set dev br0 up # hunter2',
    };
    wrapped.onCheck?.('hv01', check, null);
    wrapped.onHostDone?.('hv01', { status: 'failed', reason: 'sudo: hunter2 wrong' }, { startedAt: 1, finishedAt: 2 });
    expect(seen).toEqual([
      [
        'hv01',
        {
          id: 'bridge.up',
          status: 'fail',
          severity: 'high',
          message: 'password ******** echoed',
          fix: 'ip link set dev br0 up # ********',
        },
        null,
      ],
    ]);
    expect(reasons).toEqual(['sudo: ******** wrong']);
    // The event the store sees is untouched.
    expect(check.evidence).toEqual({ big: 'xxxxxxxxxx', nested: ['hunter2'] });
  });
});
