import { describe, expect, it } from 'vitest';
import { capUtf8 } from '../../../src/store/truncate.js';

const bytes = (s: string) => Buffer.byteLength(s);

describe('capUtf8', () => {
  it('returns text that fits unchanged, including exactly at the cap', () => {
    expect(capUtf8('hello', 5)).toEqual({ text: 'hello', truncated: false });
    expect(capUtf8('é'.repeat(10), 20)).toEqual({ text: 'é'.repeat(10), truncated: false });
    expect(capUtf8('', 0)).toEqual({ text: '', truncated: false });
  });

  it('keeps head and tail within the cap and says how much was omitted', () => {
    const text = `HEAD${'-'.repeat(10_000)}TAIL`;
    const r = capUtf8(text, 200);
    expect(r.truncated).toBe(true);
    expect(bytes(r.text)).toBeLessThanOrEqual(200);
    expect(r.text.startsWith('HEAD')).toBe(true);
    expect(r.text.endsWith('TAIL')).toBe(true);
    const omitted = Number(/fleet: (\d+) bytes omitted/.exec(r.text)?.[1]);
    const kept = r.text.replace(/\n\[… fleet: \d+ bytes omitted …\]\n/, '');
    expect(bytes(kept) + omitted).toBe(bytes(text));
  });

  it('never splits a multi-byte character', () => {
    for (const ch of ['é', '€', '🙂']) {
      for (let cap = 60; cap < 70; cap++) {
        const r = capUtf8(ch.repeat(100), cap);
        expect(r.truncated).toBe(true);
        expect(bytes(r.text)).toBeLessThanOrEqual(cap);
        expect(r.text).not.toContain('\ufffd');
      }
    }
  });

  it('degrades to a plain head cut when the cap is smaller than the marker', () => {
    const r = capUtf8('abcdefghijklmnopqrstuvwxyz'.repeat(4), 10);
    expect(r).toEqual({ text: 'abcdefghij', truncated: true });
    expect(capUtf8('éééé', 3)).toEqual({ text: 'é', truncated: true });
  });
});
