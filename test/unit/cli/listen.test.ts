import { describe, expect, it } from 'vitest';
import { parseListen } from '../../../src/cli/commands/daemon.js';

describe('daemon --listen', () => {
  it('takes ADDRESS:PORT, [IPv6]:PORT or a bare port on loopback', () => {
    expect(parseListen('127.0.0.1:9377')).toEqual({ bind: '127.0.0.1', port: 9377 });
    expect(parseListen('[::1]:9377')).toEqual({ bind: '::1', port: 9377 });
    expect(parseListen('9377')).toEqual({ bind: '127.0.0.1', port: 9377 });
    expect(parseListen(':0')).toEqual({ bind: '127.0.0.1', port: 0 });
  });
  it('refuses anything else with the expected form', () => {
    for (const bad of ['', 'localhost', '127.0.0.1:99999', '1.2.3.4:x', '::1:80'])
      expect(() => parseListen(bad), bad).toThrow(/--listen '.*' is not ADDRESS:PORT/);
  });
});
