import { describe, expect, it } from 'vitest';
import { maskUrl, urlRedactor } from '../../../src/notify/mask.js';

describe('webhook URL masking', () => {
  it('keeps scheme, host and port only', () => {
    expect(maskUrl('https://hooks.slack.com/services/T0/B0/abc123')).toBe('https://hooks.slack.com/********');
    expect(maskUrl('http://user:pw@127.0.0.1:8080/?token=x')).toBe('http://127.0.0.1:8080/********');
    expect(maskUrl('https://example.invalid/')).toBe('https://example.invalid/');
    expect(maskUrl('not a url')).toBe('********');
  });

  it('masks the URL and its secret parts wherever they appear in a line', () => {
    const url = 'https://hooks.example.invalid/services/T0/B0/s3cr3t?token=abc';
    const r = urlRedactor([url]);
    expect(r(`POST ${url} failed`)).toBe('POST https://hooks.example.invalid/******** failed');
    expect(r('error at /services/T0/B0/s3cr3t')).toBe('error at ********');
    expect(r('?token=abc rejected')).toBe('******** rejected');
  });
});
