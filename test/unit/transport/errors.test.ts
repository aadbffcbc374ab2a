import { describe, expect, test } from 'vitest';
import { classifyError, describeTarget, unreachable } from '../../../src/transport/errors.js';
import { UnreachableError } from '../../../src/transport/types.js';

/** The shapes Node's net/dns and ssh2 actually produce (no real lookups or connections here). */
function sysError(code: string, message = `${code} boom`): Error {
  return Object.assign(new Error(message), { code, syscall: 'connect', errno: -1 });
}
function ssh2Error(message: string, level: string): Error {
  return Object.assign(new Error(message), { level });
}

describe('classifyError', () => {
  test.each([
    [sysError('ECONNREFUSED', 'connect ECONNREFUSED 198.18.0.13:22'), 'refused', 'connection refused'],
    [sysError('ETIMEDOUT'), 'timeout', 'connection timed out'],
    [sysError('ENOTFOUND', 'getaddrinfo ENOTFOUND hv99.invalid'), 'dns', 'host name not found (DNS)'],
    [sysError('EAI_AGAIN'), 'dns', 'temporary DNS failure'],
    [sysError('EHOSTUNREACH'), 'other', 'no route to host'],
    [sysError('ENETUNREACH'), 'other', 'network is unreachable'],
    [sysError('ECONNRESET'), 'closed', 'connection reset by peer'],
    [sysError('EPIPE'), 'closed', 'connection closed (broken pipe)'],
  ])('%s → %s', (err, kind, reason) => {
    expect(classifyError(err)).toEqual({ kind, reason });
  });

  test('ssh2 handshake and keepalive timeouts', () => {
    expect(classifyError(ssh2Error('Timed out while waiting for handshake', 'client-timeout'))).toEqual({
      kind: 'timeout',
      reason: 'timed out during connect or SSH handshake',
    });
    expect(classifyError(ssh2Error('Keepalive timeout', 'client-timeout')).kind).toBe('timeout');
    expect(classifyError(ssh2Error('Keepalive timeout', 'client-timeout')).reason).toMatch(/stopped answering/);
  });

  test('ssh2 authentication failure', () => {
    expect(classifyError(ssh2Error('All configured authentication methods failed', 'client-authentication')).kind).toBe('auth');
  });

  test('ssh2 DNS failure when forcing a family', () => {
    expect(classifyError(ssh2Error("Error while looking up IPv4 address for 'x': boom", 'client-dns')).kind).toBe('dns');
  });

  test('connection lost before the handshake', () => {
    const c = classifyError(ssh2Error('Connection lost before handshake', 'protocol'));
    expect(c.kind).toBe('closed');
  });

  test('host key rejection without a recorded decision', () => {
    expect(classifyError(ssh2Error('Host denied (verification failed)', 'handshake')).kind).toBe('hostkey-unknown');
  });

  test('algorithm negotiation failure', () => {
    const c = classifyError(ssh2Error('Handshake failed: no matching host key format', 'handshake'));
    expect(c).toEqual({ kind: 'other', reason: 'SSH negotiation failed: Handshake failed: no matching host key format' });
  });

  test('anything else is other, on one line', () => {
    expect(classifyError(new Error('weird\nthing'))).toEqual({ kind: 'other', reason: 'weird thing' });
    expect(classifyError('a string')).toEqual({ kind: 'other', reason: 'a string' });
    expect(classifyError(undefined)).toEqual({ kind: 'other', reason: 'undefined' });
  });

  test('an UnreachableError keeps its kind', () => {
    expect(classifyError(new UnreachableError('h', 'auth', 'no key'))).toEqual({ kind: 'auth', reason: 'no key' });
  });
});

describe('messages', () => {
  test('name, address and port, then the reason, on one line', () => {
    const target = describeTarget('hv03', '198.18.0.13', 22);
    expect(target).toBe('hv03 (198.18.0.13:22)');
    const err = unreachable('hv03', target, 'refused', 'connection refused');
    expect(err).toBeInstanceOf(UnreachableError);
    expect(err.message).toBe('hv03 (198.18.0.13:22): connection refused');
    expect(err.kind).toBe('refused');
    expect(err.host).toBe('hv03');
  });
  test('IPv6 and jump hosts', () => {
    expect(describeTarget('hv04', 'fd00::4', 2222, 'admin@bastion:22')).toBe('hv04 ([fd00::4]:2222 via admin@bastion:22)');
    expect(unreachable('h', 't', 'other', 'a\n  b').message).toBe('t: a b');
  });
});
