/**
 * POSIX shell quoting. Every value interpolated into a remote command goes through here, so a
 * hostile interface name or file path can never become shell syntax.
 */

/** Quotes one value for a POSIX shell: `it's` → `'it'\''s'`. Rejects NUL, which no shell argument can hold. */
export function shQuote(value: string | number): string {
  const s = String(value);
  if (s.includes('\0')) throw new TypeError('cannot quote a string containing a NUL byte for the shell');
  // Plain words need no quotes; keeping them bare makes logged commands easier to read.
  // `=` is not in the set: a bare `A=b` in command position would be an assignment.
  if (/^[A-Za-z0-9_@%+:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Quotes each value and joins them with spaces: `shJoin(['ip', 'link', name])`. */
export function shJoin(values: readonly (string | number)[]): string {
  return values.map(shQuote).join(' ');
}

/**
 * Tagged template that quotes every interpolated value; arrays become several quoted words.
 * `sh\`ip link show dev ${name}\`` is safe whatever `name` holds. The literal parts are trusted.
 */
export function sh(strings: TemplateStringsArray, ...values: readonly unknown[]): string {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += quoteValue(value) + (strings[i + 1] ?? '');
  });
  return out;
}

function quoteValue(value: unknown): string {
  if (Array.isArray(value)) return value.map(quoteValue).join(' ');
  if (typeof value === 'string' || typeof value === 'number') return shQuote(value);
  if (typeof value === 'bigint') return shQuote(value.toString());
  throw new TypeError(`cannot interpolate a ${value === null ? 'null' : typeof value} into a shell command`);
}
