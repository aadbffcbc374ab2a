/** VLAN id lists: `[10, "100-200"]`, `"10,20 100-200"` → normalized items "10", "100-200". */

export const VID_MIN = 1;
export const VID_MAX = 4094;

/** Parses a vids value; returns the normalized items or a problem description. */
export function parseVids(value: unknown): string[] | string {
  const items: unknown[] = Array.isArray(value)
    ? value
    : typeof value === 'number'
      ? [value]
      : typeof value === 'string'
        ? value.split(/[\s,]+/).filter((x) => x !== '')
        : [];
  if (items.length === 0) return 'must be a list of VLAN ids or ranges, e.g. [10, "100-200"] or "2-4094"';
  const out: string[] = [];
  const ranges: [number, number][] = [];
  for (const item of items) {
    const s = typeof item === 'number' ? String(item) : typeof item === 'string' ? item.trim() : null;
    const m = s === null ? null : /^(\d{1,4})(?:-(\d{1,4}))?$/.exec(s);
    if (!m) return `has an item that is not a VLAN id or range (${JSON.stringify(item)})`;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo < VID_MIN || hi > VID_MAX) return `has ${s} outside ${VID_MIN}-${VID_MAX}`;
    if (hi < lo) return `has range ${s} with its end below its start`;
    out.push(lo === hi ? String(lo) : `${lo}-${hi}`);
    ranges.push([lo, hi]);
  }
  // Overlaps are almost always typos, and some managers refuse them.
  ranges.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < ranges.length; i++) {
    const prev = ranges[i - 1]!;
    const cur = ranges[i]!;
    if (cur[0] <= prev[1]) return `has overlapping entries around VLAN ${cur[0]}`;
  }
  return out;
}
