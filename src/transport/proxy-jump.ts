/**
 * ProxyJump values as OpenSSH accepts them: `[user@]host[:port]`, `ssh://[user@]host[:port]`,
 * IPv6 as `[addr]:port`, several hops separated by commas (first hop is dialled first).
 */

export interface JumpHop {
  readonly user: string | undefined;
  readonly host: string;
  readonly port: number;
}

/** Parses a ProxyJump value; `none` or empty means no jump. Throws Error with the reason when invalid. */
export function parseProxyJump(value: string): JumpHop[] {
  const trimmed = value.trim();
  if (trimmed === '' || trimmed.toLowerCase() === 'none') return [];
  return trimmed.split(',').map((hop) => parseHop(hop.trim(), value));
}

function parseHop(hop: string, whole: string): JumpHop {
  const text = hop.startsWith('ssh://') ? hop.slice(6).replace(/\/$/, '') : hop;
  const at = text.lastIndexOf('@');
  const user = at >= 0 ? text.slice(0, at) : undefined;
  const rest = at >= 0 ? text.slice(at + 1) : text;
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest) ?? /^([^:[\]]+)(?::(\d+))?$/.exec(rest);
  const host = m?.[1];
  const port = m?.[2] === undefined ? 22 : Number(m[2]);
  if (!host || (user !== undefined && !/^[A-Za-z0-9._-]+$/.test(user)) || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`invalid ProxyJump '${whole}': expected [user@]host[:port]`);
  }
  return { user, host, port };
}

/** `user@host:port` (IPv6 bracketed), for messages and cache keys. */
export function formatHop(hop: JumpHop): string {
  const host = hop.host.includes(':') ? `[${hop.host}]` : hop.host;
  return `${hop.user ? `${hop.user}@` : ''}${host}:${hop.port}`;
}
