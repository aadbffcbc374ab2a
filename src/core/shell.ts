/**
 * POSIX shell words, both ways. Every value interpolated into a remote command goes through
 * shQuote, so a hostile interface name or file path can never become shell syntax; every line of
 * words a user writes (an INI host line, ansible_ssh_common_args, a `command` task) is split by
 * splitWords, a port of Python's shlex.split (POSIX mode), which is what Ansible uses for all three.
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

const WHITESPACE = ' \t\r\n';
const QUOTES = `'"`;

export interface SplitOptions {
  /**
   * `#` starts a comment anywhere outside quotes, even mid-word (`c=color#fff` is `c=color`), as
   * in shlex.split(line, comments=True), which Ansible uses for INI host lines. Default false.
   */
  readonly comments?: boolean;
}

/**
 * Splits one line into words, honouring quotes and backslashes (no variables, globs or pipes).
 * Ported state by state from shlex so quoting and escapes behave exactly as in Ansible; inside
 * double quotes a backslash only escapes `"` and `\`. Throws Error on an unclosed quote or a
 * trailing backslash.
 */
export function splitWords(line: string, opts: SplitOptions = {}): string[] {
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
      } else if (c === '#' && opts.comments) {
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
      if (c === '') throw new Error('nothing after a backslash');
      if (QUOTES.includes(escapedState) && c !== escapedState && c !== '\\') token += '\\';
      token += c;
      state = escapedState;
    } else {
      if (c === '') throw new Error(`unclosed ${state === '"' ? 'double' : 'single'} quote`);
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
