/** max_unreachable_percentage and picking the run that @failed/@skipped resume from. */
import { describe, expect, it } from 'vitest';
import { maxUnreachableExceeded } from '../../../src/playbook/failure-policy.js';
import { runToResume } from '../../../src/cli/resume.js';
import type { RunRow } from '../../../src/store/types.js';

describe('maxUnreachableExceeded', () => {
  const t = (batchUnreachable: number, batchSize: number, playUnreachable: number, playTotal: number) => ({
    batch: 2,
    batchUnreachable,
    batchSize,
    playUnreachable,
    playTotal,
  });
  it('is off when the play does not set it', () => expect(maxUnreachableExceeded(undefined, t(5, 5, 5, 5))).toBeUndefined());
  it('stops on the batch share', () => expect(maxUnreachableExceeded(10, t(1, 5, 1, 20))).toMatch(/1 of 5 hosts unreachable in batch 2/));
  it('stops on the overall share', () => expect(maxUnreachableExceeded(25, t(1, 5, 6, 20))).toMatch(/6 of 20 hosts unreachable so far/));
  it('does not stop at exactly the limit', () => expect(maxUnreachableExceeded(20, t(1, 5, 4, 20))).toBeUndefined());
});

describe('runToResume', () => {
  const row = (id: number, status: RunRow['status'], mode: string): RunRow =>
    ({
      id,
      status,
      options: { mode },
      playbook: 'p',
      inventorySources: [],
      limit: null,
      controller: 'c',
      pid: 1,
      user: 'u',
      startedAt: id,
      finishedAt: id,
      hostCounts: {},
    }) as RunRow;
  it('prefers the newest finished run that applied changes', () => {
    expect(
      runToResume([row(5, 'running', 'fix'), row(4, 'completed', 'check'), row(3, 'failed', 'fix'), row(2, 'completed', 'fix')])?.id,
    ).toBe(3);
  });
  it('falls back to the newest finished run', () => expect(runToResume([row(4, 'completed', 'check')])?.id).toBe(4));
  it('has nothing to resume without runs', () => expect(runToResume([])).toBeUndefined());
});
