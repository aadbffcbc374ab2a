/**
 * Python's fnmatch.translate, which Ansible uses for host patterns: `*`, `?`, `[abc]`, `[!abc]`,
 * case-sensitive, matching the whole name.
 */

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/** A RegExp matching names the shell-style pattern matches. */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  const n = pattern.length;
  for (let i = 0; i < n;) {
    const c = pattern[i++]!;
    if (c === '*') {
      re += '.*';
      while (pattern[i] === '*') i++;
    } else if (c === '?') {
      re += '.';
    } else if (c === '[') {
      let j = i;
      if (pattern[j] === '!') j++;
      if (pattern[j] === ']') j++;
      while (j < n && pattern[j] !== ']') j++;
      if (j >= n) {
        re += '\\[';
      } else {
        const raw = pattern.slice(i, j);
        i = j + 1;
        const negate = raw[0] === '!';
        // Inside a JS class, '\\', ']', '[' and a leading '^' must be escaped to stay literal.
        const body = (negate ? raw.slice(1) : raw).replace(/[\\\][]/g, '\\$&').replace(/^\^/, '\\^');
        re += `[${negate ? '^' : ''}${body}]`;
      }
    } else {
      re += escapeRe(c);
    }
  }
  return new RegExp(`^(?:${re})$`, 's');
}

/** True when the pattern has glob characters (otherwise it only matches itself). */
export function isGlob(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}
