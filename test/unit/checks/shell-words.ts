/**
 * Test helper: split a generated command into the words a POSIX shell would see, refusing any
 * unquoted character that would make the shell expand or interpret something (so a test can prove
 * that hostile interface names reach `ip` as plain arguments). Operators come back as «&&», «|»…
 */
const OPERATORS = ['&&', '||', '|', ';', '&', '{', '}'];
const ACTIVE = /[$`()*?[\]~#!\\"']/;

export function shellWords(cmd: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < cmd.length) {
    const c = cmd[i] ?? '';
    if (c === ' ' || c === '\n' || c === '\t') {
      i++;
      continue;
    }
    const op = OPERATORS.find((o) => cmd.startsWith(o, i) && (o !== '&' || !cmd.startsWith('&1', i)));
    if (op && (op !== '{' && op !== '}' ? true : cmd[i + 1] === ' ' || cmd[i + 1] === undefined || cmd[i + 1] === ';')) {
      out.push(`«${op}»`);
      i += op.length;
      continue;
    }
    let word = '';
    while (i < cmd.length && !' \n\t'.includes(cmd[i] ?? '')) {
      const ch = cmd[i] ?? '';
      if (ch === "'") {
        const end = cmd.indexOf("'", i + 1);
        if (end < 0) throw new Error(`unterminated single quote in: ${cmd}`);
        word += cmd.slice(i + 1, end);
        i = end + 1;
      } else if (ch === '\\' && cmd[i + 1] === "'") {
        word += "'";
        i += 2;
      } else if (OPERATORS.some((o) => o !== '{' && o !== '}' && cmd.startsWith(o, i)) && !cmd.startsWith('&1', i)) {
        break;
      } else if (ACTIVE.test(ch)) {
        throw new Error(`unquoted ${JSON.stringify(ch)} at ${i} in: ${cmd}`);
      } else {
        word += ch;
        i++;
      }
    }
    out.push(word);
  }
  return out;
}

/** The single word after `sh -c` in a command (the script a detached fix runs). */
export function shCScript(cmd: string): string {
  const w = shellWords(cmd);
  const at = w.findIndex((x, k) => x === 'sh' && w[k + 1] === '-c');
  const script = w[at + 2];
  if (at < 0 || script === undefined) throw new Error(`no sh -c in: ${cmd}`);
  return script;
}
