import { describe, expect, test } from 'vitest';
import { formatHop, parseProxyJump } from '../../../src/transport/proxy-jump.js';

describe('parseProxyJump', () => {
  test('user@host:port, host, host:port', () => {
    expect(parseProxyJump('admin@bastion:2222')).toEqual([{ user: 'admin', host: 'bastion', port: 2222 }]);
    expect(parseProxyJump('bastion')).toEqual([{ user: undefined, host: 'bastion', port: 22 }]);
    expect(parseProxyJump('10.0.0.1:22')).toEqual([{ user: undefined, host: '10.0.0.1', port: 22 }]);
  });
  test('ssh:// URLs, IPv6 and chains', () => {
    expect(parseProxyJump('ssh://ops@jump1:2200,[fd00::1]:22')).toEqual([
      { user: 'ops', host: 'jump1', port: 2200 },
      { user: undefined, host: 'fd00::1', port: 22 },
    ]);
  });
  test('none and empty mean no jump', () => {
    expect(parseProxyJump('none')).toEqual([]);
    expect(parseProxyJump('  ')).toEqual([]);
  });
  test.each(['bastion:0', 'bastion:70000', 'bastion:x', 'a b@host', '@host:22', 'host:22:33', ','])('rejects %j', (v) => {
    expect(() => parseProxyJump(v)).toThrow(/invalid ProxyJump/);
  });
  test('formatHop', () => {
    expect(formatHop({ user: 'a', host: 'fd00::1', port: 22 })).toBe('a@[fd00::1]:22');
    expect(formatHop({ user: undefined, host: 'b', port: 2 })).toBe('b:2');
  });
});
