import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { TemplateEngine } from '../../../src/templates/render.js';

const engine = new TemplateEngine();
const at = { file: 'pb.yml', line: 7 };
const render = (src: string, vars: Record<string, unknown> = {}) => engine.renderValue(src, vars, at);

describe('filters', () => {
  it('default: undefined only, or falsy too with boolean=true (Jinja semantics)', () => {
    expect(render('{{ x | default("d") }}')).toBe('d');
    expect(render('{{ x | default("d") }}', { x: '' })).toBe('');
    expect(render('{{ x | default("d", true) }}', { x: '' })).toBe('d');
    expect(render('{{ x | default("d", true) }}', { x: [] })).toBe('d');
    expect(render('{{ x | default("d", boolean=true) }}', { x: 0 })).toBe('d');
    expect(render('{{ x | d(5) }}')).toBe(5);
    expect(render('{{ x.y.z | default("deep") }}')).toBe('deep');
    expect(render('{{ x | default(none) }}')).toBe(null);
  });

  it('bool: Ansible truthy strings', () => {
    for (const v of ['yes', 'on', '1', 'true', 'True', 'YES', true, 1]) expect(render('{{ v | bool }}', { v })).toBe(true);
    for (const v of ['no', 'off', '0', 'false', 'nope', '', false, 0, 2, null]) expect(render('{{ v | bool }}', { v })).toBe(false);
  });

  it('int: strings, floats, bases, defaults', () => {
    expect(render('{{ "42" | int }}')).toBe(42);
    expect(render('{{ " -7 " | int }}')).toBe(-7);
    expect(render('{{ "3.9" | int }}')).toBe(3);
    expect(render('{{ "abc" | int }}')).toBe(0);
    expect(render('{{ "abc" | int(5) }}')).toBe(5);
    expect(render('{{ "0x1f" | int(base=16) }}')).toBe(31);
    expect(render('{{ "ff" | int(0, 16) }}')).toBe(255);
    expect(render('{{ true | int }}')).toBe(1);
    expect(render('{{ (x | int) + 1 }}', { x: '9' })).toBe(10);
  });

  it('lower, join', () => {
    expect(render('{{ "BrIdGe" | lower }}')).toBe('bridge');
    expect(render('{{ xs | join(",") }}', { xs: ['a', 1, true] })).toBe('a,1,true');
    expect(render('{{ xs | join }}', { xs: ['a', 'b'] })).toBe('ab');
    expect(render('{{ xs | join(" ", attribute="n") }}', { xs: [{ n: 'x' }, { n: 'y' }] })).toBe('x y');
  });

  it('from_json / to_json round trip, and a clear error on bad JSON', () => {
    expect(render('{{ s | from_json }}', { s: '{"a":[1,{"b":2}]}' })).toEqual({ a: [1, { b: 2 }] });
    expect(render('{{ (s | from_json).a[1].b }}', { s: '{"a":[1,{"b":2}]}' })).toBe(2);
    expect(render('{{ v | to_json }}', { v: { a: [1, 'x'] } })).toBe('{"a":[1,"x"]}');
    expect(() => render('{{ s | from_json }}', { s: '{nope' })).toThrow(/^pb\.yml:7: from_json: invalid JSON/);
  });

  it('regex_search: match, groups, none, flags', () => {
    expect(render('{{ s | regex_search("br[0-9]+") }}', { s: 'dev br12 up' })).toBe('br12');
    expect(render('{{ s | regex_search("(\\\\w+)=(\\\\d+)", "\\\\2", "\\\\1") }}', { s: 'mtu=9000' })).toEqual(['9000', 'mtu']);
    expect(render('{{ s | regex_search("(?P<k>\\\\w+)=", "\\\\g<k>") }}', { s: 'mtu=9000' })).toEqual(['mtu']);
    expect(render('{{ s | regex_search("xyz") }}', { s: 'abc' })).toBe(null);
    expect(render('{{ s | regex_search("ABC", ignorecase=true) }}', { s: 'abc' })).toBe('abc');
    expect(render('{{ s | regex_search("^b", multiline=true) }}', { s: 'a\nb' })).toBe('b');
    expect(render('{{ s | regex_search("^b") }}', { s: 'a\nb' })).toBe(null);
  });

  it('regex_replace: every match, Python backrefs, literal $', () => {
    expect(render('{{ s | regex_replace("(\\\\w+)-(\\\\d+)", "\\\\2:\\\\1") }}', { s: 'br-0 br-1' })).toBe('0:br 1:br');
    expect(render('{{ s | regex_replace("a", "$1") }}', { s: 'aa' })).toBe('$1$1');
    expect(render('{{ s | regex_replace("(?P<x>b)", "[\\\\g<x>]") }}', { s: 'abc' })).toBe('a[b]c');
    expect(render('{{ s | regex_replace("\\\\s+") }}', { s: 'a b  c' })).toBe('abc');
  });

  it('quote: one shell word whatever the input (checked with a real shell)', () => {
    const hostile = ["it's", 'a b', '$(touch /tmp/pwned)', '`id`', '; rm -rf /', '"\\', 'line\nbreak', '', '--flag', '*', "'';'"];
    for (const s of hostile) {
      const cmd = `printf '%s' ${String(render('{{ s | quote }}', { s }))}`;
      expect(execFileSync('/bin/sh', ['-c', cmd]).toString()).toBe(s);
    }
    expect(render('{{ "plain-word_1.2/x" | quote }}')).toBe('plain-word_1.2/x');
    expect(() => render('{{ s | quote }}', { s: 'a\u0000b' })).toThrow(/NUL/);
    expect(() => render('{{ s | quote }}', { s: ['a'] })).toThrow(/quote: expected a string/);
  });

  it('Ansible extras: ternary, combine, dict2items, map, select, unique, basename', () => {
    expect(render('{{ ok | ternary("y", "n") }}', { ok: false })).toBe('n');
    expect(render('{{ a | combine(b) }}', { a: { x: 1, y: 2 }, b: { y: 3 } })).toEqual({ x: 1, y: 3 });
    expect(render('{{ a | dict2items }}', { a: { x: 1 } })).toEqual([{ key: 'x', value: 1 }]);
    expect(render('{{ xs | map(attribute="n") | list }}', { xs: [{ n: 1 }, { n: 2 }] })).toEqual([1, 2]);
    expect(render('{{ xs | map("upper") | list }}', { xs: ['a'] })).toEqual(['A']);
    expect(render('{{ xs | select("match", "^br") | list }}', { xs: ['br0', 'eth0', 'br1'] })).toEqual(['br0', 'br1']);
    expect(
      render('{{ xs | selectattr("up") | map(attribute="n") | list }}', {
        xs: [
          { n: 'a', up: true },
          { n: 'b', up: false },
        ],
      }),
    ).toEqual(['a']);
    expect(render('{{ xs | unique }}', { xs: [1, 1, 2] })).toEqual([1, 2]);
    expect(render('{{ p | basename }} {{ p | dirname }}', { p: '/etc/net/x.conf' })).toBe('x.conf /etc/net');
  });
});
