/**
 * POSIX shell single-quoting, local to facts/ and checks/ on purpose: it keeps these pure modules
 * free of a dependency on the transport layer. Same rules as shQuote() in src/transport/quote.ts,
 * so swapping one for the other is mechanical.
 */

/** Quotes `value` as ONE shell word: `it's` -> `'it'\''s'`. Safe for any string without NUL. */
export function shq(value: string): string {
  if (value.includes('\0')) throw new Error('shell argument contains a NUL byte');
  // Plain words need no quotes (readable fix commands). `=` is not in the set: a bare `A=b` in
  // command position would be an assignment (same rule as src/transport/quote.ts).
  if (/^[A-Za-z0-9_@%+:,./-]+$/.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
