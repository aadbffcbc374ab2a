/**
 * Python's `shlex.split(line, comments=True)` (POSIX mode), which Ansible uses to split INI host lines.
 * Ported state by state so quoting, escapes and `#` comments (which start anywhere outside quotes,
 * even mid-word: `c=color#fff` is `c=color`) behave exactly as in Ansible.
 */

const WHITESPACE = ' \t\r\n';
const QUOTES = `'"`;

/** Splits one line into shell-like words; throws Error('No closing quotation' | 'No escaped character'). */
export function shlexSplit(line: string): string[] {
  const out: string[] = [];
  let token = '';
  let quoted = false;
  // ' ' between words, 'a' in a word, a quote char inside quotes, '\\' after a backslash.
  let state = ' ';
  let escapedState = 'a';
  const emit = () => {
    if (token !== '' || quoted) out.push(token);
    token = '';
    quoted = false;
  };
  for (let i = 0; i <= line.length; i++) {
    const c = i < line.length ? line[i]! : '';
    if (state === ' ' || state === 'a') {
      if (c === '') break;
      if (WHITESPACE.includes(c)) {
        if (state === 'a') emit();
        state = ' ';
      } else if (c === '#') {
        // The rest of the line is a comment.
        break;
      } else if (QUOTES.includes(c)) {
        quoted = true;
        state = c;
      } else if (c === '\\') {
        escapedState = 'a';
        state = '\\';
      } else {
        token += c;
        state = 'a';
      }
    } else if (state === '\\') {
      if (c === '') throw new Error('No escaped character');
      // Inside double quotes a backslash only escapes `"` and `\`; otherwise it is kept.
      if (QUOTES.includes(escapedState) && c !== escapedState && c !== '\\') token += '\\';
      token += c;
      state = escapedState;
    } else {
      // Inside quotes.
      if (c === '') throw new Error('No closing quotation');
      if (c === state) state = 'a';
      else if (c === '\\' && state === '"') {
        escapedState = state;
        state = '\\';
      } else token += c;
    }
  }
  emit();
  return out;
}
