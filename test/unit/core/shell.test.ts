import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { sh, shJoin, shQuote } from '../../../src/core/shell.js';

/** What /bin/sh actually receives as argv after parsing `printf '%s\0' <quoted>`. */
function roundTrip(command: string): string[] {
  const out = execFileSync('/bin/sh', ['-c', `printf '%s\\n--\\n' ${command}`], { encoding: 'utf8' });
  return out.split('\n--\n').slice(0, -1);
}

const HOSTILE = [
  "it's",
  "'",
  "''",
  '"double"',
  '$(touch /tmp/fleet-quote-pwned)',
  '`touch /tmp/fleet-quote-pwned`',
  '$HOME ${PATH} $1 $@ $*',
  'a;b&&c||d|e',
  'line1\nline2\n',
  '\t tab and spaces  ',
  '*',
  '~root',
  '!event',
  'back\\slash\\',
  '-rf',
  'A=b',
  '',
  'ünïcödé ✓',
  '#comment',
  '>redirect <in',
];

describe('shQuote', () => {
  test.each(HOSTILE)('the shell gets back exactly %j', (value) => {
    expect(roundTrip(shQuote(value))).toEqual([value]);
  });

  test('leaves plain words bare and quotes the rest', () => {
    expect(shQuote('br0')).toBe('br0');
    expect(shQuote('/sys/class/net/eth0.100/operstate')).toBe('/sys/class/net/eth0.100/operstate');
    expect(shQuote(42)).toBe('42');
    expect(shQuote('')).toBe("''");
    expect(shQuote("it's")).toBe("'it'\\''s'");
    expect(shQuote('A=b')).toBe("'A=b'");
  });

  test('rejects NUL', () => {
    expect(() => shQuote('a\0b')).toThrow(/NUL/);
  });
});

describe('shJoin and sh``', () => {
  test('shJoin quotes every word', () => {
    expect(roundTrip(shJoin(HOSTILE))).toEqual(HOSTILE);
  });

  test('sh`` quotes interpolations, spreads arrays, keeps literals', () => {
    const name = "eth0; rm -rf / #'";
    const cmd = sh`ip link show dev ${name} ${['a b', 3]}`;
    expect(cmd).toBe(`ip link show dev 'eth0; rm -rf / #'\\''' 'a b' 3`);
    expect(roundTrip(sh`${name} ${['x y', '$(id)']}`)).toEqual([name, 'x y', '$(id)']);
  });

  test('sh`` refuses values that have no sensible shell form', () => {
    expect(() => sh`echo ${undefined}`).toThrow(/undefined/);
    expect(() => sh`echo ${null}`).toThrow(/null/);
    expect(() => sh`echo ${{ a: 1 }}`).toThrow(/object/);
    expect(() => sh`echo ${'a\0'}`).toThrow(/NUL/);
  });
});
