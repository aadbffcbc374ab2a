/** -e extra vars: key=value, inline JSON/YAML, @file; errors name the file and line. */
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import { parseExtraVars } from '../../../src/inventory/index.js';
import { tmpDir, type TmpDir } from './tmp-inventory.js';

let t: TmpDir | undefined;
afterEach(() => {
  t?.cleanup();
  t = undefined;
});

describe('parseExtraVars', () => {
  it('reads key=value pairs as strings, with quotes and escapes', async () => {
    expect(await parseExtraVars(['a=1 b="two words" c=\'x y\' d=line\\nbreak e={{ x }}'], '/')).toEqual({
      a: '1',
      b: 'two words',
      c: 'x y',
      d: 'line\nbreak',
      e: '{{ x }}',
    });
  });

  it('reads inline JSON and YAML', async () => {
    expect(await parseExtraVars(['{"n": 1, "l": [true]}'], '/')).toEqual({ n: 1, l: [true] });
    expect(await parseExtraVars(['{n: 1, flag: yes}'], '/')).toEqual({ n: 1, flag: true });
  });

  it('reads @file relative to cwd; later values win', async () => {
    t = tmpDir();
    t.write({ 'vars.yml': 'a: 1\nb: {c: 2}\n', 'more.json': '{"a": 3}' });
    expect(await parseExtraVars(['@vars.yml', 'x=y', '@more.json'], t.dir)).toEqual({ a: 3, b: { c: 2 }, x: 'y' });
  });

  it('names the file and line of a YAML error', async () => {
    t = tmpDir();
    t.write({ 'vars.yml': 'a: 1\nb: [unclosed\nc: 3\n' });
    const err = await parseExtraVars(['@vars.yml'], t.dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/^vars\.yml:\d: invalid YAML: /);
  });

  it.each([
    [['@missing.yml'], '-e @missing.yml: cannot read extra vars file (ENOENT)'],
    [['./vars.yml'], "-e ./vars.yml: prepend a file name with '@' (-e @./vars.yml)"],
    [['[1, 2]'], '-e:1: expected a mapping of variables, got a list'],
    [['novalue'], "-e 'novalue': expected key=value, JSON/YAML ({...}) or @file, got 'novalue'"],
    [['a="unclosed'], `-e 'a="unclosed': unbalanced quotes or Jinja block`],
  ])('rejects %j', async (values, message) => {
    await expect(parseExtraVars(values, '/tmp')).rejects.toThrow(message);
  });

  it('quotes a value with line breaks on one line (found by fuzzing)', async () => {
    // The value holds a backslash and a real newline; the message shows the newline as \n.
    await expect(parseExtraVars(['sg=y7"a b" x=\\' + '\n' + 'n'], '/')).rejects.toThrow(`-e 'sg=y7"a b" x=\\\\nn': expected key=value`);
  });
});
