import { describe, expect, it } from 'vitest';
import { blockLine, oneLine, terminalSafe } from '../../../src/output/terminal-safe.js';

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
