import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PlaybookError } from '../../../src/core/errors.js';
import { LazyValue } from '../../../src/templates/lazy.js';
import { RenderError, TemplateEngine } from '../../../src/templates/render.js';

const engine = new TemplateEngine();
const at = { file: 'site.yml', line: 12 };
const test = (expr: string, vars: Record<string, unknown> = {}) => engine.test(engine.expression(expr, at), vars, at);
const str = (src: string, vars: Record<string, unknown> = {}) => engine.renderString(src, vars, at);

describe('undefined is an error, never an empty string', () => {
  it('printing an undefined variable names the file:line and the variable', () => {
    expect(() => str('ip link set {{ bridge }} up')).toThrow(RenderError);
    expect(() => str('ip link set {{ bridge }} up')).toThrow("site.yml:12: 'bridge' is undefined");
  });

  it('undefined inside conditions and operators is an error too (not silently false)', () => {
    expect(() => test('not x')).toThrow("'x' is undefined");
    expect(() => test('x == "a"')).toThrow("'x' is undefined");
    expect(() => str('{% if x %}yes{% endif %}')).toThrow("'x' is undefined");
    expect(() => test('d.missing == 1', { d: {} })).toThrow("'d.missing' is undefined");
    expect(() => str('{{ xs[3] }}', { xs: [1] })).toThrow("'xs[3]' is undefined");
    expect(() => str('{{ x | lower }}')).toThrow("'x' is undefined");
  });

  it('is defined / is undefined / default are the ways to test for it', () => {
    expect(test('x is defined')).toBe(false);
    expect(test('x is undefined')).toBe(true);
    expect(test('x is not defined')).toBe(true);
    expect(test('x is defined and x | bool')).toBe(false);
    expect(test('x is defined and x | bool', { x: 'yes' })).toBe(true);
    expect(test('d.a.b is defined', { d: {} })).toBe(false);
    expect(test('(x | default(false)) | bool')).toBe(false);
  });

  it('null prints as an empty string (Ansible), not as an error', () => {
    expect(str('[{{ x }}]', { x: null })).toBe('[]');
  });
});

describe('expressions', () => {
  it('in / not / and / or / comparisons, Python literals', () => {
    expect(test("'br0' in bridges", { bridges: ['br0'] })).toBe(true);
    expect(test("'k' in d", { d: { k: 1 } })).toBe(true);
    expect(test("'x' not in s", { s: 'abc' })).toBe(true);
    expect(test('a > 1 and (b or not c)', { a: 2, b: false, c: false })).toBe(true);
    expect(test('True and not False and x is none', { x: null })).toBe(true);
  });

  it('Python truthiness: empty list and mapping are false', () => {
    expect(test('xs', { xs: [] })).toBe(false);
    expect(test('d', { d: {} })).toBe(false);
    expect(test('xs', { xs: [0] })).toBe(true);
  });

  it('Python string and dict methods', () => {
    expect(test("name.startswith('br')", { name: 'br0' })).toBe(true);
    expect(engine.evaluate(engine.expression('out.split()', at), { out: ' a  b ' }, at)).toEqual(['a', 'b']);
    expect(engine.evaluate(engine.expression("d.get('x', 5)", at), { d: {} }, at)).toBe(5);
    expect(engine.evaluate(engine.expression('d.items() | list', at), { d: { a: 1 } }, at)).toEqual([['a', 1]]);
  });

  it('registered-result tests', () => {
    expect(test('r is failed', { r: { failed: true } })).toBe(true);
    expect(test('r is succeeded', { r: { failed: false } })).toBe(true);
    expect(test('r is changed', { r: { changed: false } })).toBe(false);
    expect(test('r is skipped', { r: { skipped: true } })).toBe(true);
    expect(test("v is match('^5\\\\.')", { v: '5.15.0' })).toBe(true);
  });

  it('YAML scalars are constants; {{ }} around a condition is tolerated', () => {
    expect(engine.expression(false, at).test({})).toBe(false);
    expect(test('{{ x == 1 }}', { x: 1 })).toBe(true);
  });

  it('syntax errors are PlaybookErrors at compile time, with file:line', () => {
    expect(() => engine.expression('x ==', at)).toThrow(PlaybookError);
    expect(() => engine.expression('x ==', at)).toThrow(/^site\.yml:12: invalid expression/);
    expect(() => engine.expression('a }} {{ b', at)).toThrow(/not a single Jinja expression|invalid expression/);
    expect(() => engine.template('line1\n{{ x x }}', at)).toThrow(/^site\.yml:13: invalid template/);
    expect(() => engine.template('line1\n{% if x %}', at)).toThrow(/^site\.yml:12: invalid template .*expected elif, else, or endif/);
  });
});

describe('templates', () => {
  it('a single {{ expr }} keeps its native type; anything else is text', () => {
    expect(engine.renderValue('{{ xs }}', { xs: [1, 2] }, at)).toEqual([1, 2]);
    expect(engine.renderValue('{{ n + 1 }}', { n: 1 }, at)).toBe(2);
    expect(engine.renderValue('n={{ n }}', { n: 1 }, at)).toBe('n=1');
    expect(engine.renderValue({ a: ['{{ n }}', 'x'] }, { n: true }, at)).toEqual({ a: [true, 'x'] });
  });

  it('autoescape is off (configs and commands are not HTML)', () => {
    expect(str('{{ s }}', { s: '<a & "b">' })).toBe('<a & "b">');
  });

  it('lazy vars resolve on use, in order, and report loops and their own undefined names', () => {
    const vars = { conf: new LazyValue('/etc/{{ app }}/{{ file }}'), app: 'net', file: new LazyValue('{{ app }}.conf') };
    expect(str('{{ conf }}', vars)).toBe('/etc/net/net.conf');
    expect(() => str('{{ a }}', { a: new LazyValue('{{ b }}'), b: new LazyValue('{{ a }}') })).toThrow(/recursive loop/);
    expect(() => str('{{ c }}', { c: new LazyValue('{{ nope }}') })).toThrow("'nope' is undefined (in var 'c')");
    // A broken var costs nothing when unused.
    expect(str('ok', { c: new LazyValue('{{ nope }}') })).toBe('ok');
  });

  it('remote data is never rendered as a template', () => {
    expect(str('{{ r.stdout }}', { r: { stdout: '{{ 7 * 7 }}' } })).toBe('{{ 7 * 7 }}');
  });

  it('blocks sandbox-escape attributes', () => {
    expect(() => str('{{ x.constructor }}', { x: {} })).toThrow(/not allowed/);
    expect(() => str("{{ ''.__proto__ }}")).toThrow(/not allowed/);
  });

  describe('files', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-tpl-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(path.join(dir, 'ok.j2'), 'auto {{ bridge }}\n{% for p in ports %}\n  port {{ p }}\n{% endfor %}\n');
    writeFileSync(path.join(dir, 'undef.j2'), 'line one\nline two {{ missing }}\n');
    writeFileSync(path.join(dir, 'broken.j2'), 'a\nb\n{% for x in %}\n');
    writeFileSync(path.join(dir, 'inc.j2'), '{% include "undef.j2" %}');
    const files = new TemplateEngine({ searchPaths: [dir] });

    it('renders with trim_blocks like Ansible', () => {
      expect(files.renderFile('ok.j2', { bridge: 'br0', ports: ['eth0', 'eth1'] })).toBe('auto br0\n  port eth0\n  port eth1\n');
    });

    it('errors name the template file and line', () => {
      expect(() => files.renderFile('undef.j2', {})).toThrow(`${path.join(dir, 'undef.j2')}:2: 'missing' is undefined`);
      expect(() => files.checkFile('broken.j2', at)).toThrow(new RegExp(`^${path.join(dir, 'broken.j2')}:3: invalid template`));
      expect(() => files.checkFile('nope.j2', at)).toThrow(/^site\.yml:12: template 'nope\.j2' not found/);
      expect(() => files.checkFile('../etc/passwd', at)).toThrow(/not found/);
    });

    it('included templates are strict too', () => {
      expect(() => files.renderFile('inc.j2', {})).toThrow("'missing' is undefined");
    });
  });
});
