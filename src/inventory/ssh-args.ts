/**
 * The jump host in `ansible_ssh_common_args` / `ansible_ssh_extra_args`: `-o ProxyJump=user@host:port`,
 * `-J user@host:port`, and the classic `-o ProxyCommand="ssh -W %h:%p [-p port] [-l user] [user@]host"`.
 * Anything else that would change how ssh connects through another machine is refused, not ignored.
 */
import { splitWords } from '../core/shell.js';

/** Thrown for args we cannot honour; the caller names the host. */
export class SshArgsError extends Error {}

/** `[user@]host[:port]` of the single jump host, or undefined when there is none. */
export function proxyJumpFromArgs(args: string): string | undefined {
  let words: string[];
  try {
    words = splitWords(args, { comments: true });
  } catch (e) {
    throw new SshArgsError(`cannot parse ssh args '${args}': ${(e as Error).message}`);
  }
  let jump: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    let value: string | undefined;
    if (w === '-J') value = words[++i];
    else if (w.startsWith('-J')) value = w.slice(2);
    else if (w === '-o' || w.startsWith('-o')) {
      const opt = w === '-o' ? words[++i] : w.slice(2);
      if (opt === undefined) throw new SshArgsError(`'-o' without an option in ssh args '${args}'`);
      const m = /^\s*(\w+)\s*(?:=|\s)\s*(.*)$/s.exec(opt);
      if (!m) continue;
      const key = m[1]!.toLowerCase();
      if (key === 'proxyjump') value = m[2]!;
      else if (key === 'proxycommand') value = fromProxyCommand(m[2]!.trim());
      else continue;
    } else continue;
    if (value === undefined || value === '') throw new SshArgsError(`missing jump host in ssh args '${args}'`);
    if (value.includes(',')) throw new SshArgsError(`more than one jump host ('${value}') is not supported`);
    // Like ssh, the first value given wins (`none` included).
    jump ??= value.replace(/^ssh:\/\//, '');
  }
  return jump?.toLowerCase() === 'none' ? undefined : jump;
}

/** `ssh -W %h:%p [-p N] [-l U] [-q] [user@]host` -> `[user@]host[:N]`. */
function fromProxyCommand(cmd: string): string {
  const refuse = () => new SshArgsError(`ProxyCommand '${cmd}' is not supported (use -o ProxyJump=user@host:port)`);
  const words = splitWords(cmd, { comments: true });
  if (words[0] !== 'ssh' && !words[0]?.endsWith('/ssh')) throw refuse();
  let port: string | undefined;
  let user: string | undefined;
  let dest: string | undefined;
  let forwards = false;
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    if (w === '-W') forwards = words[++i] === '%h:%p';
    else if (w === '-p') port = words[++i];
    else if (w === '-l') user = words[++i];
    else if (/^-[qCTNv46]+$/.test(w)) continue;
    else if (w.startsWith('-')) throw refuse();
    else if (dest === undefined) dest = w;
    else throw refuse();
  }
  if (!forwards || !dest) throw refuse();
  const withUser = user && !dest.includes('@') ? `${user}@${dest}` : dest;
  return port ? `${withUser}:${port}` : withUser;
}
