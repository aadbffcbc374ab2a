import { describe, expect, it } from 'vitest';
import { SecretMask } from '../../../src/core/redact.js';
import { assertOneOf, assertRunId, toJson } from '../../../src/store/writes.js';

describe('toJson', () => {
  it('redacts string values only, so the JSON stays valid whatever the secret looks like', () => {
    const redact = (s: string) => s.split('42').join('**');
    const json = toJson({ n: 4242, s: 'x42y', list: ['42', 42], '42': true }, redact)!;
    expect(JSON.parse(json)).toEqual({ n: 4242, s: 'x**y', list: ['**', 42], '42': true });
  });

  it('masks a secret learnt after the mask was handed out (the fast path is only for no secrets)', () => {
    const mask = new SecretMask();
    const value = { pw: 'quote"and\\backslash', list: ['ok'] };
    expect(mask.redact.masksNothing?.()).toBe(true);
    expect(toJson(value, mask.redact)).toBe(JSON.stringify(value));
    mask.add(['quote"and\\backslash']);
    expect(mask.redact.masksNothing?.()).toBe(false);
    expect(JSON.parse(toJson(value, mask.redact)!)).toEqual({ pw: '********', list: ['ok'] });
  });

  it('maps undefined to SQL NULL and keeps an explicit null', () => {
    expect(toJson(undefined, undefined)).toBeNull();
    expect(toJson(null, undefined)).toBe('null');
  });

  it('throws for values JSON cannot hold', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => toJson(cyclic, undefined)).toThrow(TypeError);
  });
});

describe('assertions', () => {
  it('accept allowed values and name the bad one', () => {
    expect(() => assertOneOf('status', 'ok', ['ok', 'failed'])).not.toThrow();
    expect(() => assertOneOf('status', 'OK', ['ok', 'failed'])).toThrow('store: invalid status "OK" (expected one of ok, failed)');
    expect(() => assertRunId(3)).not.toThrow();
    for (const bad of [0, -1, 1.5, '3', Number.NaN]) expect(() => assertRunId(bad)).toThrow(/invalid run id/);
  });
});
