import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertModule } from '../../../src/modules/assert.js';
import { debugModule } from '../../../src/modules/debug.js';
import { failModule } from '../../../src/modules/fail.js';
import { getJsonPath, parseJsonPath } from '../../../src/modules/json-path.js';
import { setFactModule } from '../../../src/modules/set-fact.js';
import { closest } from '../../../src/modules/suggest.js';
import { moduleCtx } from './ctx.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-misc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = { loc: { file: 'pb.yml', line: 3 }, keyLoc: () => ({ file: 'pb.yml', line: 4 }) };

describe('assert / fail / debug / set_fact', () => {
  it('assert: all conditions must hold; the first false one is named', async () => {
    const ctx = moduleCtx(dir, { vars: { mtu: 9000, bridges: ['br0'] } });
    expect(await assertModule.run(ctx, { that: ['mtu >= 1500', "'br0' in bridges"] })).toEqual({
      changed: false,
      msg: 'All assertions passed',
    });
    expect(await assertModule.run(ctx, { that: ['mtu >= 1500', 'mtu < 9000'] })).toMatchObject({
      failed: true,
      msg: 'Assertion failed: mtu < 9000',
    });
    expect(await assertModule.run(ctx, { that: 'mtu < 1', fail_msg: 'MTU!' })).toMatchObject({ failed: true, msg: 'MTU!' });
    expect(() => assertModule.parse({ that: [{ a: 1 }] }, at)).toThrow(/each condition must be a string/);
  });

  it('fail, debug msg/var, set_fact', async () => {
    const ctx = moduleCtx(dir, { vars: { r: { stdout: 'hi' } } });
    expect(await failModule.run(ctx, {})).toMatchObject({ failed: true, msg: 'Failed as requested from task' });
    expect(await debugModule.run(ctx, { var: 'r.stdout' })).toMatchObject({ msg: 'r.stdout: hi' });
    expect(await debugModule.run(ctx, { msg: ['a', 1] })).toMatchObject({ msg: '[\n  "a",\n  1\n]' });
    expect(await setFactModule.run(ctx, { a: 1, cacheable: true })).toMatchObject({ facts: { a: 1 } });
    expect(() => setFactModule.parse({ 'bad-name': 1 }, at)).toThrow(/not a valid variable name/);
  });
});

describe('json_path', () => {
  it('walks keys and indexes, quoted keys, negative indexes', () => {
    const v = { a: { b: [1, { 'c.d': 'x' }] }, list: [1, 2, 3] };
    expect(parseJsonPath('a.b[1]["c.d"]')).toEqual(['a', 'b', 1, 'c.d']);
    expect(getJsonPath(v, 'a.b[1]["c.d"]')).toEqual({ found: true, value: 'x' });
    expect(getJsonPath(v, '$.list[-1]')).toEqual({ found: true, value: 3 });
    expect(getJsonPath(v, 'a.nope')).toEqual({ found: false });
    expect(getJsonPath([{ ifname: 'br0' }], '[0].ifname')).toEqual({ found: true, value: 'br0' });
    expect(() => parseJsonPath('a..b')).toThrow(/invalid json_path/);
  });
});

describe('suggestions', () => {
  it('finds near misses only', () => {
    expect(closest('bridge.ip-on-prot', ['bridge.ip-on-port', 'bridge.exists'])).toBe('bridge.ip-on-port');
    expect(closest('zzz', ['command', 'shell'])).toBeUndefined();
  });
});
