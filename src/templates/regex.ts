/**
 * Playbooks are written for Ansible, whose regex filters use Python's `re`. The common syntax is
 * the same in JavaScript; the differences authors actually hit are translated here.
 */

export interface RegexOptions {
  readonly ignorecase?: boolean;
  readonly multiline?: boolean;
}

/** Compiles a Python-style pattern: `(?P<n>…)`, `(?P=n)`, a leading `(?i)`/`(?m)`/`(?s)`, `\A`, `\Z`. */
export function pyRegex(pattern: string, opts: RegexOptions, extraFlags = ''): RegExp {
  let src = pattern;
  let flags = extraFlags;
  const inline = /^\(\?([aiLmsux]+)\)/.exec(src);
  if (inline) {
    src = src.slice(inline[0].length);
    for (const f of inline[1] ?? '') if ('ims'.includes(f) && !flags.includes(f)) flags += f;
  }
  if (opts.ignorecase && !flags.includes('i')) flags += 'i';
  if (opts.multiline && !flags.includes('m')) flags += 'm';
  src = src
    .replace(/\(\?P<([A-Za-z_]\w*)>/g, '(?<$1>')
    .replace(/\(\?P=([A-Za-z_]\w*)\)/g, '\\k<$1>')
    .replace(/\\A/g, '^')
    .replace(/\\Z/g, '$');
  try {
    return new RegExp(src, flags);
  } catch (err) {
    throw new Error(`invalid regular expression '${pattern}': ${(err as Error).message}`);
  }
}

/** Translates a Python replacement (`\1`, `\g<1>`, `\g<name>`) to JavaScript's (`$1`, `$<name>`). */
export function pyReplacement(replacement: string): string {
  let out = '';
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i] ?? '';
    if (c === '$') {
      out += '$$';
      continue;
    }
    if (c !== '\\' || i === replacement.length - 1) {
      out += c;
      continue;
    }
    const rest = replacement.slice(i + 1);
    const num = /^\d{1,2}/.exec(rest);
    const named = /^g<(\w+)>/.exec(rest);
    if (num) {
      out += `$${num[0]}`;
      i += num[0].length;
    } else if (named) {
      out += /^\d+$/.test(named[1] ?? '') ? `$${named[1]}` : `$<${named[1]}>`;
      i += named[0].length;
    } else if (rest[0] === 'n') {
      out += '\n';
      i += 1;
    } else if (rest[0] === 't') {
      out += '\t';
      i += 1;
    } else if (rest[0] === '\\') {
      out += '\\';
      i += 1;
    } else {
      out += c;
    }
  }
  return out;
}
