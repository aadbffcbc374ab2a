/** `a.b[0].c` lookups into parsed JSON, for ad-hoc checks' `expect.json_path`. */

/** Splits `a.b[0]["c.d"]` into keys and indexes; throws on malformed paths. */
export function parseJsonPath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  const re = /\s*(?:\.?([A-Za-z_$][\w$-]*)|\[\s*(-?\d+)\s*\]|\[\s*"((?:[^"\\]|\\.)*)"\s*\]|\[\s*'([^']*)'\s*\])/y;
  let i = 0;
  const s = path.replace(/^\$\.?/, '');
  while (i < s.length) {
    re.lastIndex = i;
    const m = re.exec(s);
    if (!m || m[0].length === 0) throw new Error(`invalid json_path '${path}' at '${s.slice(i)}'`);
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(m[3] !== undefined ? (JSON.parse(`"${m[3]}"`) as string) : (m[4] ?? ''));
    i = re.lastIndex;
  }
  return out;
}

/** The value at `path`, or `{ found: false }`. */
export function getJsonPath(value: unknown, path: string): { found: true; value: unknown } | { found: false } {
  let cur = value;
  for (const k of parseJsonPath(path)) {
    if (typeof k === 'number' && Array.isArray(cur)) {
      const idx = k < 0 ? cur.length + k : k;
      if (idx < 0 || idx >= cur.length) return { found: false };
      cur = cur[idx];
    } else if (
      typeof k === 'string' &&
      typeof cur === 'object' &&
      cur !== null &&
      !Array.isArray(cur) &&
      Object.prototype.hasOwnProperty.call(cur, k)
    ) {
      cur = (cur as Record<string, unknown>)[k];
    } else {
      return { found: false };
    }
  }
  return { found: true, value: cur };
}

/** Structural equality for JSON values. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return ka.length === kb.length && ka.every((k) => jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
