/**
 * What `--db` / `FLEET_DB` names: a PostgreSQL connection URL (`postgres://` or `postgresql://`) or
 * else an SQLite file path. A URL may carry a password (in the user info or as `?password=`): every
 * place that prints a target (errors, hints, listings) prints maskDbTarget() of it instead.
 */
import { MASK } from '../core/redact.js';

export function isPostgresUrl(target: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(target);
}

// The authority runs to the first '/', '?' or '#'; a password may hold an unencoded '@', so the user
// info ends at the LAST '@' of the authority.
const USERINFO = /^(postgres(?:ql)?:\/\/)([^/?#]*)@/i;
const PASSWORD_PARAM = /([?&]password=)[^&#]*/gi;

/** The target with its password (if any) replaced by the mask; paths and password-less URLs unchanged. */
export function maskDbTarget(target: string): string {
  if (!isPostgresUrl(target)) return target;
  return target
    .replace(USERINFO, (_m, scheme: string, info: string) => {
      const colon = info.indexOf(':');
      return colon === -1 ? `${scheme}${info}@` : `${scheme}${info.slice(0, colon)}:${MASK}@`;
    })
    .replace(PASSWORD_PARAM, `$1${MASK}`);
}

const safeDecode = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** The password spellings a URL holds (raw and percent-decoded): what must never appear in printed text. */
export function passwordsOf(target: string): string[] {
  if (!isPostgresUrl(target)) return [];
  const found: string[] = [];
  const info = USERINFO.exec(target)?.[2];
  const colon = info?.indexOf(':') ?? -1;
  if (info !== undefined && colon !== -1) found.push(info.slice(colon + 1));
  for (const m of target.matchAll(PASSWORD_PARAM)) found.push(m[0].slice(m[1]!.length));
  return [...new Set(found.flatMap((p) => [p, safeDecode(p)]))].filter((p) => p.length > 0);
}

/** Replaces the target itself and each of its password spellings in `text` (a driver's error message, say). */
export function maskTargetIn(target: string, text: string): string {
  let out = text.split(target).join(maskDbTarget(target));
  for (const p of passwordsOf(target).sort((a, b) => b.length - a.length)) out = out.split(p).join(MASK);
  return out;
}
