/** POSIX-shell word splitting for the `command` module (no variables, globs or pipes: just words). */

/** Splits like a POSIX shell would, honouring quotes and backslashes. Throws on an unclosed quote. */
export function shellSplit(input: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let i = 0;
  while (i < input.length) {
    const c = input[i] ?? '';
    if (c === "'") {
      const end = input.indexOf("'", i + 1);
      if (end < 0) throw new Error('unclosed single quote');
      cur += input.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      inWord = true;
      for (;;) {
        if (i >= input.length) throw new Error('unclosed double quote');
        const d = input[i] ?? '';
        if (d === '"') break;
        if (d === '\\' && i + 1 < input.length && '$`"\\\n'.includes(input[i + 1] ?? '')) {
          if (input[i + 1] !== '\n') cur += input[i + 1];
          i += 2;
          continue;
        }
        cur += d;
        i++;
      }
      i++;
    } else if (c === '\\') {
      if (i + 1 < input.length && input[i + 1] !== '\n') {
        cur += input[i + 1];
        inWord = true;
      }
      i += 2;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
      i++;
    } else {
      cur += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(cur);
  return words;
}
