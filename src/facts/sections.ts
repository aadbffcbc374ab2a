/** Splits the facts script's output into its sections (see the format in script.ts). */
import type { Gathered } from './types.js';

export interface RawSection {
  readonly name: string;
  /** null when the output ended before the section's rc line. */
  readonly rc: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface SplitOutput {
  /** The per-run nonce from the header; null when there is no header (not facts output at all). */
  readonly nonce: string | null;
  readonly version: string | null;
  readonly sections: ReadonlyMap<string, RawSection>;
  /** The end marker was seen. */
  readonly complete: boolean;
  /** First line of the output, for an error message when the header is missing. */
  readonly firstLine: string;
}

const HEADER = /^@@FLEET@@ (\S+) begin (\S+)$/;

/** One line of `raw` without its line break and one trailing CR. */
function lineAt(raw: string, start: number, end: number): string {
  return raw.charCodeAt(end - 1) === 13 && end > start ? raw.slice(start, end - 1) : raw.slice(start, end);
}

/** Lines start…end of `raw` (offsets of the first line's start and the last line's end), each without its trailing CR. */
function region(raw: string, start: number, end: number): string {
  return end <= start ? '' : raw.slice(start, end).replace(/\r(?=\n|$)/g, '');
}

/**
 * Splits raw output; tolerant of truncation and of junk before the header (e.g. a login banner).
 * The output is up to the transport cap (16 MiB) from a host that may be hostile: it is scanned by
 * offsets, never split into an array of lines (16 M empty lines would cost the controller a GiB).
 */
export function splitSections(raw: string): SplitOutput {
  const sections = new Map<string, RawSection>();
  const blank = /\S/g;
  const firstText = blank.exec(raw)?.index;
  const firstLine =
    firstText === undefined
      ? ''
      : lineAt(
          raw,
          raw.lastIndexOf('\n', firstText) + 1,
          raw.indexOf('\n', firstText) < 0 ? raw.length : raw.indexOf('\n', firstText),
        ).slice(0, 120);

  // Line starts that could be a marker: only lines beginning with "@@" are ever looked at.
  let headerMatch: RegExpExecArray | null = null;
  let pos = 0;
  for (let at = raw.startsWith('@@FLEET@@ ') ? 0 : raw.indexOf('\n@@FLEET@@ '); at >= 0; at = raw.indexOf('\n@@FLEET@@ ', pos)) {
    const lineStart = raw.charCodeAt(at) === 10 ? at + 1 : at;
    const nl = raw.indexOf('\n', lineStart);
    pos = nl < 0 ? raw.length : nl;
    headerMatch = HEADER.exec(lineAt(raw, lineStart, pos));
    if (headerMatch || nl < 0) break;
  }
  if (!headerMatch) return { nonce: null, version: null, sections, complete: false, firstLine };
  const [, nonce = '', version = ''] = headerMatch;
  const open = `@@FLEET@@ ${nonce} `;
  const rcMark = `@@RC@@ ${nonce} `;

  let complete = false;
  // Offsets: the section's stdout runs from outStart to outEnd, its stderr from errStart to the next marker.
  let current: { name: string; outStart: number; outEnd: number; errStart: number; rc: number | null; inErr: boolean } | null = null;
  const close = (end: number) => {
    if (!current || sections.has(current.name)) return;
    const outEnd = current.inErr ? current.outEnd : end;
    sections.set(current.name, {
      name: current.name,
      rc: current.rc,
      stdout: trimOneNewline(region(raw, current.outStart, outEnd)),
      stderr: current.inErr ? region(raw, current.errStart, end).trim() : '',
    });
  };
  // pos is at the header's line break (or the end): each turn reads the line after it.
  while (pos < raw.length) {
    const lineStart = pos + 1;
    const nl = raw.indexOf('\n', lineStart);
    const lineEnd = nl < 0 ? raw.length : nl;
    // The previous line ends at pos: a marker ends the region before it (without that line break).
    if (raw.startsWith(open, lineStart)) {
      close(pos);
      const name = lineAt(raw, lineStart, lineEnd).slice(open.length).trim();
      if (name === 'end') {
        complete = true;
        current = null;
        break;
      }
      current = { name, outStart: lineEnd + 1, outEnd: lineEnd + 1, errStart: lineEnd + 1, rc: null, inErr: false };
    } else if (current && !current.inErr && raw.startsWith(rcMark, lineStart)) {
      const rc = Number(lineAt(raw, lineStart, lineEnd).slice(rcMark.length).trim());
      current.rc = Number.isInteger(rc) ? rc : null;
      current.inErr = true;
      current.outEnd = pos;
      current.errStart = lineEnd + 1;
    }
    pos = lineEnd;
  }
  close(raw.length);
  return { nonce, version, sections, complete, firstLine };
}

// The script prints "\n" before each marker so a marker always starts a line; that adds one empty
// line after output that already ended with a newline.
function trimOneNewline(text: string): string {
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}

export interface SectionOptions {
  /** Exit codes that still mean "valid output" (grep: 1 = no match). Default: [0]. */
  readonly okRcs?: readonly number[];
}

/**
 * Turns one section into Gathered<T>: missing, not installed (127), timed out (124/137), failed or
 * unparseable sections become an explicit `ok: false` with a one-line reason; parse errors never escape.
 */
export function gather<T>(
  split: SplitOutput,
  name: string,
  parse: (stdout: string, section: RawSection) => T,
  options: SectionOptions = {},
): Gathered<T> {
  const s = split.sections.get(name);
  if (!s) {
    const why =
      split.nonce === null
        ? `no facts header in output (starts with ${JSON.stringify(split.firstLine)})`
        : split.complete
          ? 'section missing from facts output'
          : 'facts output was cut short before this section';
    return { ok: false, cause: 'missing', reason: `${name}: ${why}` };
  }
  const detail = firstLine(s.stderr) || firstLine(s.stdout);
  if (s.rc === null) return { ok: false, cause: 'missing', reason: `${name}: output was cut short` };
  if (s.rc === 127) return { ok: false, cause: 'not-installed', reason: `${name}: command not found${detail ? ` (${detail})` : ''}` };
  if (s.rc === 124 || s.rc === 137) return { ok: false, cause: 'timeout', reason: `${name}: timed out on the host` };
  if (!(options.okRcs ?? [0]).includes(s.rc)) {
    return { ok: false, cause: 'failed', reason: `${name}: exit ${s.rc}${detail ? `: ${detail}` : ''}` };
  }
  try {
    return { ok: true, value: parse(s.stdout, s) };
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    return { ok: false, cause: 'unparseable', reason: `${name}: unparseable output: ${firstLine(msg)}` };
  }
}

/** The first non-blank line, trimmed and cut at 200: found by scanning, since `text` may be 16 MiB of newlines. */
function firstLine(text: string): string {
  const at = /\S/.exec(text)?.index;
  if (at === undefined) return '';
  const end = text.indexOf('\n', at);
  return text
    .slice(text.lastIndexOf('\n', at) + 1, end < 0 ? text.length : end)
    .trim()
    .slice(0, 200);
}
