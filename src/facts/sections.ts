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

/** Splits raw output; tolerant of truncation and of junk before the header (e.g. a login banner). */
export function splitSections(raw: string): SplitOutput {
  const lines = raw.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const firstLine = (lines.find((l) => l.trim() !== '') ?? '').slice(0, 120);
  const headerAt = lines.findIndex((l) => HEADER.test(l));
  const sections = new Map<string, RawSection>();
  if (headerAt < 0) return { nonce: null, version: null, sections, complete: false, firstLine };
  const [, nonce = '', version = ''] = HEADER.exec(lines[headerAt] ?? '') ?? [];
  const open = `@@FLEET@@ ${nonce} `;
  const rcMark = `@@RC@@ ${nonce} `;

  let complete = false;
  let current: { name: string; out: string[]; err: string[]; rc: number | null; inErr: boolean } | null = null;
  const close = () => {
    if (!current || sections.has(current.name)) return;
    sections.set(current.name, {
      name: current.name,
      rc: current.rc,
      stdout: trimOneBlank(current.out).join('\n'),
      stderr: current.err.join('\n').trim(),
    });
  };
  for (const line of lines.slice(headerAt + 1)) {
    if (line.startsWith(open)) {
      close();
      const name = line.slice(open.length).trim();
      if (name === 'end') {
        complete = true;
        current = null;
        break;
      }
      current = { name, out: [], err: [], rc: null, inErr: false };
    } else if (current && !current.inErr && line.startsWith(rcMark)) {
      const rc = Number(line.slice(rcMark.length).trim());
      current.rc = Number.isInteger(rc) ? rc : null;
      current.inErr = true;
    } else if (current) {
      (current.inErr ? current.err : current.out).push(line);
    }
  }
  close();
  return { nonce, version, sections, complete, firstLine };
}

// The script prints "\n" before each marker so a marker always starts a line; that adds one empty
// line after output that already ended with a newline.
function trimOneBlank(lines: string[]): string[] {
  return lines.length > 0 && lines[lines.length - 1] === '' ? lines.slice(0, -1) : lines;
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

function firstLine(text: string): string {
  return (text.split('\n').find((l) => l.trim() !== '') ?? '').trim().slice(0, 200);
}
