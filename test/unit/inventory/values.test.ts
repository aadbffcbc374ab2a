/**
 * INI value reading (Python literal_eval, as Ansible's INI plugin does) and host-line splitting (Python
 * shlex). Expected values were produced by Python 3.11's ast.literal_eval / shlex.split.
 */
import { describe, expect, it } from 'vitest';
import { parseIniValue } from '../../../src/inventory/ini.js';
import { splitWords } from '../../../src/core/shell.js';

describe('INI values (ast.literal_eval)', () => {
  const cases: [string, unknown][] = [
    ['5', 5],
    ['-5', -5],
    ['+5', 5],
    ['--5', '--5'],
    ['010', '010'],
    ['00', 0],
    ['1_000', 1000],
    ['1__0', '1__0'],
    ['0x1F', 31],
    ['0o17', 15],
    ['0b101', 5],
    ['1e3', 1000],
    ['1.5', 1.5],
    ['.5', 0.5],
    ['1.', 1],
    ['-1.5e-3', -0.0015],
    ['True', true],
    ['False', false],
    ['None', null],
    ['true', 'true'],
    ['yes', 'yes'],
    ['abc # comment', 'abc # comment'],
    ["'abc' # comment", 'abc'],
    ['"a\\tb"', 'a\tb'],
    ["r'\\n'", '\\n'],
    ["'a' 'b'", 'ab'],
    ["u'x'", 'x'],
    ["b'bytes'", 'bytes'],
    ["[1, 2, {'a': None}]", [1, 2, { a: null }]],
    ['[1, 2,]', [1, 2]],
    ['(1,2)', [1, 2]],
    ['(1)', 1],
    ['()', []],
    ['1,2', [1, 2]],
    ['{}', {}],
    ["{'a': 1, 'b': [True]}", { a: 1, b: [true] }],
    ["{1: 'x'}", { 1: 'x' }],
    ['{1, 2}', [1, 2]],
    ["'unterminated", "'unterminated"],
    ['[a]', '[a]'],
    ['1 2', '1 2'],
    ['x=1', 'x=1'],
    ["'\\x41\\u00e9'", 'Aé'],
    ["'\\101'", 'A'],
    ["'\\d'", '\\d'],
    ['-True', '-True'],
    ['[-1, +2]', [-1, 2]],
    ["'''tri'''", 'tri'],
    ["{'k': (1, 2)}", { k: [1, 2] }],
    ['-(5)', -5],
    ["f'x'", "f'x'"],
    ['/path/to', '/path/to'],
    ['10.0.0.1', '10.0.0.1'],
    ['2001:db8::1', '2001:db8::1'],
    ['', ''],
  ];
  it.each(cases)('%j -> %j', (text, expected) => {
    expect(parseIniValue(text)).toEqual(expected);
  });

  it('keeps a complex number as text (Ansible cannot serialise it either)', () => {
    expect(parseIniValue('1+2j')).toBe('1+2j');
  });
});

describe('INI host lines (shlex.split with comments)', () => {
  const cases: [string, string[]][] = [
    [`host1 a=1 b="x y" c='p q'`, ['host1', 'a=1', 'b=x y', 'c=p q']],
    ['host1 c=color#fff', ['host1', 'c=color']],
    ['host1 # comment', ['host1']],
    [`host1 a="x\\"y" b='x\\y' c=x\\ y`, ['host1', 'a=x"y', 'b=x\\y', 'c=x y']],
    [`host1 a="it's" b=''`, ['host1', "a=it's", 'b=']],
    ['host1   a=""   ', ['host1', 'a=']],
    ['"quoted host" x=1', ['quoted host', 'x=1']],
    ['host1 a="multi # not comment" b=2', ['host1', 'a=multi # not comment', 'b=2']],
    ['host1 a=\\#x', ['host1', 'a=#x']],
    ['host1 a="x\\\\y" b="x\\$y"', ['host1', 'a=x\\y', 'b=x\\$y']],
  ];
  it.each(cases)('%s', (line, expected) => {
    expect(splitWords(line, { comments: true })).toEqual(expected);
  });

  it('throws on an unterminated quote', () => {
    expect(() => splitWords('host1 a="x')).toThrow('unclosed double quote');
  });
});
