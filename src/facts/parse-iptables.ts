/** Parser for `iptables-save` / `ip6tables-save` output (nft and legacy backends print the same format). */
import type { IptablesDump, IptChain, IptRule, IptTable } from './types.js';

/** Splits a rule line into words like the iptables-save quoting rules: "a b" and \" inside quotes. */
export function tokenizeRule(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] ?? '';
    if (quoted) {
      if (c === '\\' && i + 1 < line.length) cur += line[++i];
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') {
      quoted = true;
      inWord = true;
    } else if (c === ' ' || c === '\t') {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quoted) throw new Error(`unterminated quote in rule: ${line.slice(0, 80)}`);
  if (inWord) out.push(cur);
  return out;
}

function ruleOf(args: string[]): IptRule {
  let target: string | undefined;
  let goto = false;
  for (let i = 0; i < args.length - 1; i++) {
    if (args[i] === '-j' || args[i] === '--jump') target = args[i + 1];
    else if (args[i] === '-g' || args[i] === '--goto') {
      target = args[i + 1];
      goto = true;
    }
  }
  return goto ? { args, target, goto } : target ? { args, target } : { args };
}

/** Parses one backend's dump; an empty output (no tables loaded) is a valid empty dump. */
export function parseIptablesSave(text: string): IptablesDump {
  const tables: Array<{ name: string; chains: Map<string, { name: string; policy: string | null; rules: IptRule[] }> }> = [];
  let table: (typeof tables)[number] | undefined;
  const chain = (name: string) => {
    if (!table) throw new Error(`rule for chain ${name} outside a table`);
    let c = table.chains.get(name);
    if (!c) table.chains.set(name, (c = { name, policy: null, rules: [] }));
    return c;
  };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('*')) {
      table = { name: line.slice(1), chains: new Map() };
      tables.push(table);
    } else if (line === 'COMMIT') {
      table = undefined;
    } else if (line.startsWith(':')) {
      const [name = '', policy = '-'] = line.slice(1).split(/\s+/);
      chain(name).policy = policy === '-' ? null : policy;
    } else if (line.startsWith('-A ')) {
      const words = tokenizeRule(line);
      chain(words[1] ?? '').rules.push(ruleOf(words.slice(2)));
    } else {
      throw new Error(`unexpected line: ${line.slice(0, 80)}`);
    }
  }
  return {
    tables: tables.map((t): IptTable => ({ name: t.name, chains: [...t.chains.values()] as IptChain[] })),
  };
}
