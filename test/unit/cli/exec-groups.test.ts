import { describe, expect, it } from 'vitest';
import { groupOutputs } from '../../../src/cli/commands/exec.js';
import { parseSince } from '../../../src/cli/commands/history.js';
import type { CommandResult } from '../../../src/core/result.js';

const r = (rc: number, stdout: string): CommandResult => ({
  command: 'x',
  rc,
  signal: null,
  stdout,
  stderr: '',
  durationMs: 1,
  timedOut: false,
});

describe('groupOutputs()', () => {
  it('groups identical results and puts failures first', () => {
    const groups = groupOutputs(
      new Map([
        ['a', r(0, 'up\n')],
        ['b', r(1, '')],
        ['c', r(0, 'up\n')],
      ]),
    );
    expect(groups.map((g) => g.hosts)).toEqual([['b'], ['a', 'c']]);
  });
});

describe('parseSince()', () => {
  it('reads ages and dates', () => {
    expect(parseSince('2h', 10_000_000)).toBe(10_000_000 - 7_200_000);
    expect(parseSince('2026-01-02T00:00:00Z')).toBe(Date.parse('2026-01-02T00:00:00Z'));
  });
  it('rejects nonsense with a clear message', () => {
    expect(() => parseSince('yesterday-ish')).toThrow(/neither a date nor an age/);
  });
});
