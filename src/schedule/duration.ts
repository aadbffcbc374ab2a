/** Durations as people write them in schedule files: `90s`, `15m`, `1h30m`, `24h`, `7d`. */

const UNITS: Record<string, number> = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 };

/** Milliseconds, or undefined when `text` is not a duration. A bare number is seconds. */
export function parseDuration(text: unknown): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text * 1e3 : undefined;
  if (typeof text !== 'string') return undefined;
  const t = text.trim();
  if (!/^(?:\d+(?:ms|s|m|h|d|w))+$/.test(t)) return undefined;
  let ms = 0;
  for (const m of t.matchAll(/(\d+)(ms|s|m|h|d|w)/g)) ms += Number(m[1]) * (UNITS[m[2] ?? ''] ?? NaN);
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/** The shortest faithful text for `ms`: 900000 → 15m, 5400000 → 1h30m. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of [
    ['d', 86400e3],
    ['h', 3600e3],
    ['m', 60e3],
    ['s', 1e3],
    ['ms', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.join('');
}
