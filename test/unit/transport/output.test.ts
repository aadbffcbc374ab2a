import { describe, expect, test } from 'vitest';
import { CappedOutput } from '../../../src/transport/output.js';

describe('CappedOutput', () => {
  test('keeps everything under the cap', () => {
    const o = new CappedOutput(10);
    o.push('héllo');
    o.push(Buffer.from('!'));
    expect(o.text()).toBe('héllo!');
    expect(o.droppedBytes).toBe(0);
  });
  test('keeps the first cap bytes, counts the rest and says so', () => {
    const o = new CappedOutput(8);
    o.push('12345');
    o.push('67890');
    o.push('abc');
    expect(o.droppedBytes).toBe(5);
    expect(o.text()).toBe('12345678\n[fleet: output truncated at 8 bytes, 5 more bytes dropped]\n');
  });
  test('multi-byte characters split across chunks decode correctly', () => {
    const o = new CappedOutput(100);
    const bytes = Buffer.from('é');
    o.push(bytes.subarray(0, 1));
    o.push(bytes.subarray(1));
    expect(o.text()).toBe('é');
  });
});
