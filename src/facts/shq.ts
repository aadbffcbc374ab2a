/**
 * POSIX shell single-quoting, local to facts/ and checks/ on purpose: src/transport/quote.ts is
 * planned by another helper; keeping this tiny copy avoids a cross-team dependency. Replace with
 * the shared one once it exists (the semantics are the standard ones, so the swap is mechanical).
 */

/** Quotes `value` as ONE shell word: `it's` -> `'it'\''s'`. Safe for any byte string without NUL. */
export function shq(value: string): string {
  if (value.includes('\0')) throw new Error('shell argument contains a NUL byte');
  // Plain words need no quotes; keeps generated commands readable for humans reviewing a fix.
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
