/**
 * Whole-file stacks (classic ifupdown and ifupdown2 own /etc/network/interfaces) render one bridge.
 * A hypervisor's file usually describes more (the VM bridge next to the management bridge): dropping
 * those stanzas would lose them at the next reboot. So the stanzas of interfaces this bridge does not
 * manage are carried over verbatim after the rendered text, under a marker comment. Pure.
 */

const STANZA_START = /^(auto|allow-[A-Za-z0-9-]+|iface|mapping|source|source-directory|no-auto-down|no-scripts|rename)(\s|$)/;
export const KEPT_MARKER = '# --- kept by fleet from the previous file: interfaces this bridge config does not manage ---';

interface Stanza {
  /** Comment and blank lines directly before it. */
  readonly lead: string[];
  readonly lines: string[];
}

function splitStanzas(text: string): Stanza[] {
  const out: Stanza[] = [];
  let lead: string[] = [];
  let cur: Stanza | undefined;
  for (const line of text.split('\n')) {
    if (STANZA_START.test(line)) {
      cur = { lead, lines: [line] };
      out.push(cur);
      lead = [];
    } else if (/^\s*(#|$)/.test(line) && (line.trim() === '' || !/^\s/.test(line))) {
      // A top-level comment or blank line belongs to whatever stanza follows it.
      lead.push(line);
    } else if (cur) cur.lines.push(line);
  }
  return out;
}

/**
 * The text to install: `rendered` plus the stanzas of `previous` that name none of `managed`
 * (`auto`/`allow-*` lines keep only their unmanaged names; a `source` line the rendered text already
 * has is dropped). Everything after the kept marker in `previous` (fleet's own earlier carry-over)
 * is parsed like the rest, so repeated runs do not pile up copies.
 */
export function keepUnmanagedStanzas(rendered: string, previous: string, managed: readonly string[]): string {
  const skip = new Set(['lo', ...managed]);
  const renderedLines = new Set(rendered.split('\n').map((l) => l.trim()));
  const kept: string[] = [];
  for (const s of splitStanzas(previous)) {
    const first = s.lines[0] ?? '';
    const words = first.trim().split(/\s+/);
    const keyword = words[0] ?? '';
    let lines = s.lines;
    if (keyword === 'auto' || keyword.startsWith('allow-')) {
      const names = words.slice(1).filter((n) => !skip.has(n));
      if (names.length === 0) continue;
      lines = [`${keyword} ${names.join(' ')}`, ...s.lines.slice(1)];
    } else if (keyword === 'iface' || keyword === 'rename') {
      if (skip.has(words[1] ?? '')) continue;
    } else if (keyword === 'source' || keyword === 'source-directory') {
      if (renderedLines.has(first.trim())) continue;
    }
    // Blank and comment lines before a stanza stay with it, so the original spacing survives.
    kept.push(...s.lead.filter((l) => l !== KEPT_MARKER), ...lines);
  }
  while (kept.length && (kept[0] ?? '').trim() === '') kept.shift();
  while (kept.length && (kept.at(-1) ?? '').trim() === '') kept.pop();
  if (kept.length === 0) return rendered;
  return `${rendered.replace(/\n*$/, '\n')}\n${KEPT_MARKER}\n${kept.join('\n')}\n`;
}
