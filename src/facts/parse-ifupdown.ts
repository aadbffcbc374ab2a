/** Parser for Debian ifupdown's /etc/network/interfaces (+ interfaces.d/*), per interfaces(5). */
import type { IfaceStanza, IfupdownConfig } from './types.js';

interface Mutable {
  files: string[];
  auto: string[];
  hotplug: string[];
  ifaces: Array<IfaceStanza & { options: Record<string, string[]> }>;
  sources: string[];
}

/** `bridge_ports` and `bridge-ports` are the same option (ifupdown maps `-` to `_` for hooks). */
export function optionKey(key: string): string {
  return key.toLowerCase().replaceAll('_', '-');
}

function parseFile(file: string, text: string, acc: Mutable): void {
  // Join backslash continuations first, remembering where each logical line started.
  const logical: Array<{ line: number; text: string }> = [];
  let pending: { line: number; text: string } | undefined;
  text.split('\n').forEach((raw, idx) => {
    const cont = raw.endsWith('\\');
    const piece = cont ? raw.slice(0, -1) : raw;
    if (pending) pending.text += ` ${piece}`;
    else pending = { line: idx + 1, text: piece };
    if (!cont) {
      logical.push(pending);
      pending = undefined;
    }
  });
  if (pending) logical.push(pending);

  let current: Mutable['ifaces'][number] | undefined;
  for (const { line, text: l } of logical) {
    const trimmed = l.trim();
    // interfaces(5): comments are whole lines starting with '#'.
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const [word = '', ...rest] = trimmed.split(/\s+/);
    if (word === 'iface') {
      const [name = '', family = '', method = ''] = rest;
      current = { name, family, method, options: {}, file, line };
      acc.ifaces.push(current);
    } else if (word === 'auto' || word === 'allow-auto') {
      acc.auto.push(...rest);
      current = undefined;
    } else if (word === 'allow-hotplug') {
      acc.hotplug.push(...rest);
      current = undefined;
    } else if (word === 'source' || word === 'source-directory') {
      acc.sources.push(...rest);
      current = undefined;
    } else if (word === 'mapping' || word.startsWith('allow-') || word === 'rename' || word === 'no-auto-down' || word === 'no-scripts') {
      current = undefined;
    } else if (current) {
      (current.options[optionKey(word)] ??= []).push(rest.join(' '));
    }
    // Option lines outside an iface stanza (e.g. inside `mapping`) are not ours to judge.
  }
}

/** Parses the `ifupdown` section: each file behind an `@@FILE@@ <nonce> <path>` marker. */
export function parseIfupdown(text: string, nonce: string): IfupdownConfig {
  const acc: Mutable = { files: [], auto: [], hotplug: [], ifaces: [], sources: [] };
  const marker = `@@FILE@@ ${nonce} `;
  let file: string | undefined;
  let buf: string[] = [];
  const flush = () => {
    if (file === undefined) return;
    acc.files.push(file);
    parseFile(file, buf.join('\n'), acc);
  };
  for (const line of text.split('\n')) {
    if (line.startsWith(marker)) {
      flush();
      file = line.slice(marker.length);
      buf = [];
    } else buf.push(line);
  }
  flush();
  return acc;
}
