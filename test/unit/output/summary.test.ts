import { describe, expect, it } from 'vitest';
import { abbreviate, formatRunSummary } from '../../../src/output/summary.js';
import type { HostOutcome } from '../../../src/engine/events.js';

describe('formatRunSummary()', () => {
  const outcomes = new Map<string, HostOutcome>([
    ['hv01', { status: 'ok' }],
    ['hv02', { status: 'unreachable', reason: 'hv02 (198.18.0.12:22): connection refused' }],
    ['hv03', { status: 'failed', reason: 'exit code 1: boom' }],
    ['hv04', { status: 'failed', reason: 'exit code 1: boom' }],
  ]);
  const text = formatRunSummary(7, outcomes, { interrupted: false, durationMs: 1500 });
  it('lists failed hosts first, hosts sharing a reason on one line', () => {
    const lines = text.split('\n');
    expect(lines[0]).toBe('FAILED (2):');
    expect(lines[1]).toBe('  hv03, hv04: exit code 1: boom');
    expect(lines[2]).toBe('UNREACHABLE (1):');
  });
  it('ends with the counts', () => {
    expect(text).toContain('run 7: 4 host(s)  failed 2  unreachable 1  changed 0  ok 1  skipped 0  in 1.5s');
  });
  it('says when the run was interrupted', () => {
    expect(formatRunSummary(1, outcomes, { interrupted: true, durationMs: 1 })).toContain('INTERRUPTED');
  });
});

describe('abbreviate()', () => {
  it('shows the first hosts and how many more', () => {
    expect(abbreviate(['a', 'b', 'c'], 2)).toBe('a, b … (+1 more)');
  });
});
