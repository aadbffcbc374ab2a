/** POSIX shell quoting for the reload commands (values are already validated; quoting is the second wall). */
export function shQuote(value: string | number): string {
  const s = String(value);
  if (/^[A-Za-z0-9_@%+:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Quotes and joins the words of one command. */
export function shJoin(words: readonly (string | number)[]): string {
  return words.map(shQuote).join(' ');
}
