import { describe, expect, it } from 'vitest';
import { makeRedactor, MASK } from '../../../src/core/redact.js';

describe('makeRedactor()', () => {
  it('masks every occurrence of every secret', () => {
    const r = makeRedactor(['hunter22', 'pässwörd']);
    expect(r('sudo said hunter22 twice: hunter22; and pässwörd')).toBe(`sudo said ${MASK} twice: ${MASK}; and ${MASK}`);
  });
  it('masks the longer secret whole when one contains another', () => {
    const r = makeRedactor(['abc', 'abcdef']);
    expect(r('x abcdef y abc')).toBe(`x ${MASK} y ${MASK}`);
  });
  it('ignores undefined and too-short values that would mangle output', () => {
    const r = makeRedactor([undefined, '', 'a']);
    expect(r('a quick test')).toBe('a quick test');
  });
});
