/**
 * Maps Node socket errors and ssh2 client errors to an UnreachableKind plus a short reason, and
 * builds the one-line message users see: "hv03 (198.18.0.13:22): connection refused".
 */
import type { UnreachableKind } from '../core/result.js';
import { UnreachableError } from './types.js';

export interface ClassifiedError {
  readonly kind: UnreachableKind;
  readonly reason: string;
}

/** Socket and resolver error codes by the kind of failure they are, each with the reason shown. */
const REASONS: Readonly<Partial<Record<UnreachableKind, Readonly<Record<string, string>>>>> = {
  refused: { ECONNREFUSED: 'connection refused' },
  timeout: { ETIMEDOUT: 'connection timed out' },
  dns: {
    ENOTFOUND: 'host name not found (DNS)',
    EAI_AGAIN: 'temporary DNS failure',
    EAI_NODATA: 'host name has no address (DNS)',
    EAI_FAIL: 'DNS lookup failed',
  },
  closed: { ECONNRESET: 'connection reset by peer', EPIPE: 'connection closed (broken pipe)', ECONNABORTED: 'connection aborted' },
  other: {
    EHOSTUNREACH: 'no route to host',
    ENETUNREACH: 'network is unreachable',
    EHOSTDOWN: 'host is down',
    EADDRNOTAVAIL: 'address not available',
  },
};

const BY_CODE: Readonly<Record<string, ClassifiedError>> = Object.fromEntries(
  Object.entries(REASONS).flatMap(([kind, codes]) =>
    Object.entries(codes ?? {}).map(([code, reason]) => [code, { kind: kind as UnreachableKind, reason }]),
  ),
);

/** Classifies an error from net, dns or ssh2. Pure: looks only at the error's code, level and message. */
export function classifyError(err: unknown): ClassifiedError {
  if (err instanceof UnreachableError) return { kind: err.kind, reason: err.message };
  const e = (typeof err === 'object' && err !== null ? err : {}) as { code?: unknown; level?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const level = typeof e.level === 'string' ? e.level : undefined;
  const message = oneLine(typeof e.message === 'string' ? e.message : String(err));

  if (code !== undefined && BY_CODE[code]) return BY_CODE[code];
  if (level === 'client-authentication') return { kind: 'auth', reason: 'authentication failed (no key was accepted)' };
  if (level === 'client-dns') return { kind: 'dns', reason: message };
  if (level === 'client-timeout') {
    if (/keepalive/i.test(message)) return { kind: 'timeout', reason: 'host stopped answering (keepalive timeout)' };
    return { kind: 'timeout', reason: 'timed out during connect or SSH handshake' };
  }
  if (/connection lost before handshake/i.test(message)) {
    return { kind: 'closed', reason: 'connection closed before the SSH handshake (not an SSH server, or its MaxStartups is exhausted)' };
  }
  if (/host denied/i.test(message)) return { kind: 'hostkey-unknown', reason: 'host key verification failed' };
  if (/no matching|handshake failed/i.test(message)) return { kind: 'other', reason: `SSH negotiation failed: ${message}` };
  return { kind: 'other', reason: message || 'unknown error' };
}

/** `hv03 (198.18.0.13:22)` or `hv03 (198.18.0.13:22 via admin@bastion:22)`. */
export function describeTarget(name: string, address: string, port: number, via?: string): string {
  const addr = address.includes(':') ? `[${address}]` : address;
  return `${name} (${addr}:${port}${via ? ` via ${via}` : ''})`;
}

/** The UnreachableError for a host: message "<target>: <reason>". */
export function unreachable(host: string, target: string, kind: UnreachableKind, reason: string, tcpConnected = false): UnreachableError {
  return new UnreachableError(host, kind, `${target}: ${oneLine(reason)}`, { tcpConnected });
}

/**
 * What calls still pending on a connection get once fleet has closed it itself. No stack trace: it
 * is not a failure, and capturing one on every host's close was measurable at thousands of hosts.
 */
export function closedByFleet(host: string, target: string): UnreachableError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return unreachable(host, target, 'closed', 'connection closed by fleet');
  } finally {
    Error.stackTraceLimit = limit;
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
