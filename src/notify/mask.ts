/**
 * Webhook URLs carry their secret in the path or query (Slack's /services/T…/B…/token, ?token=…),
 * and sometimes in user:password@. Only scheme, host and port are shown in logs and listings.
 */
import { MASK } from '../core/redact.js';

export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    const rest = u.pathname !== '/' || u.search || u.hash || u.username || u.password;
    return `${u.protocol}//${u.host}/${rest ? MASK : ''}`;
  } catch {
    return MASK;
  }
}

/** Masks every occurrence of the given URLs (and of their secret-bearing parts) in a log line. */
export function urlRedactor(urls: readonly string[]): (text: string) => string {
  const whole = new Map<string, string>();
  const parts = new Set<string>();
  for (const raw of urls) {
    whole.set(raw, maskUrl(raw));
    try {
      const u = new URL(raw);
      whole.set(u.href, maskUrl(raw));
      for (const p of [u.pathname.length > 1 ? u.pathname : '', u.search, u.password]) if (p.length >= 3) parts.add(p);
    } catch {
      // Not a URL: the whole string is the secret.
    }
  }
  const byLength = <T>(xs: Iterable<[string, T]>) => [...xs].sort((a, b) => b[0].length - a[0].length);
  const replacements = [...byLength(whole), ...byLength([...parts].map((p): [string, string] => [p, MASK]))];
  return (text) => replacements.reduce((t, [s, r]) => (t.includes(s) ? t.split(s).join(r) : t), text);
}
