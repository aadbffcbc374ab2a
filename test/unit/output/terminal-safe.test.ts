import { describe, expect, it } from 'vitest';
import { blockLine, oneLine, terminalJson, terminalJsonChunks, terminalSafe } from '../../../src/output/terminal-safe.js';

describe('terminalSafe()', () => {
  it('neutralises escape sequences from host output', () => {
    const hostile = 'ok\x1b]0;pwned\x07\x1b[2J\rX';
    const safe = terminalSafe(hostile);
    expect(safe).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(safe).toBe('ok\\x1b]0;pwned\\x07\\x1b[2J\\x0dX');
  });
  it('keeps newlines and tabs, and neutralises bidi overrides', () => {
    expect(terminalSafe('a\tb\nc')).toBe('a\tb\nc');
    expect(terminalSafe('evil\u202egnp.exe')).toBe('evil\\x202egnp.exe');
  });
});

describe('oneLine()', () => {
  it('folds newlines and cuts long text', () => {
    expect(oneLine('a\nb')).toBe('a ⏎ b');
    expect(oneLine('x'.repeat(300), 10)).toBe(`${'x'.repeat(9)}…`);
  });
});

describe('blockLine()', () => {
  it('keeps the indentation of output and diff lines, escapes control characters, drops a CR and trailing blanks', () => {
    expect(blockLine('    address 198.18.0.2/22  \r')).toBe('    address 198.18.0.2/22');
    expect(blockLine('+    mtu 1500')).toBe('+    mtu 1500');
    expect(blockLine('  \u001b[2Jx')).toBe('  \\x1b[2Jx');
    expect(blockLine('x'.repeat(500), 10)).toBe(`${'x'.repeat(9)}…`);
  });
});

describe('terminalJson()', () => {
  it('leaves no raw DEL, C1 or bidi control and parses back to the same value', () => {
    const value = { out: 'a\u009b2J\u007f\u0085\u2028\u202ez\u001b[0m', n: 1 };
    const text = terminalJson(value);
    // eslint-disable-next-line no-control-regex
    expect(text.replace(/\n/g, '')).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    expect(text).toContain('\\u009b2J\\u007f\\u0085\\u2028\\u202ez\\u001b[0m');
    expect(JSON.parse(text)).toEqual(value);
    expect(terminalJson({ a: [1] }, 4)).toBe(JSON.stringify({ a: [1] }, null, 4));
  });
});

describe('terminalJsonChunks', () => {
  const host = (i: number) => ({
    status: i % 3 ? 'ok' : 'failed',
    changed: false,
    reason: i % 5 ? null : `bad \u009b[31m host ${i}\u2028`,
    skip: undefined,
    checks: Object.fromEntries(
      Array.from({ length: i % 4 }, (_, j) => [`c.${j}`, { status: 'fail', severity: 'high', message: `m "${j}"\n` }]),
    ),
  });
  const doc = (n: number) => ({
    run_id: 7,
    limit: null,
    gone: undefined,
    hosts: Object.fromEntries(Array.from({ length: n }, (_, i) => [`hv${i}\u202e`, host(i)])),
    nested: { deep: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, [i, { x: {} }]])) },
    fleet: {},
    list: [],
  });

  it('concatenates to exactly what terminalJson writes, for small and big objects', () => {
    for (const value of [doc(0), doc(3), doc(200), [doc(70)], 'x', null, {}]) {
      expect([...terminalJsonChunks(value)].join('')).toBe(terminalJson(value));
    }
  });

  it('writes a big object member by member', () => {
    expect([...terminalJsonChunks(doc(200))].length).toBeGreaterThan(200);
  });
});
