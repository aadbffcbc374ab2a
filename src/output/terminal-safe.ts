/**
 * Anything that came from a host (output, names, messages) is untrusted: an escape sequence in a
 * command's output could rewrite the operator's terminal. Control characters other than newline and
 * tab are shown as visible escapes instead.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function terminalSafe(text: string): string {
  return text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** One line of a block (output, a diff): escaped and cut at `max`, its indentation kept. */
export function blockLine(line: string, max = 400): string {
  const safe = terminalSafe(line.replace(/\r$/, '').trimEnd());
  return safe.length > max ? `${safe.slice(0, max - 1)}…` : safe;
}

/** One line, for summaries: newlines become ⏎ and it is cut at `max` characters. */
export function oneLine(text: string, max = 200): string {
  const flat = terminalSafe(text.replace(/\r?\n/g, ' ⏎ ').trim());
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

// JSON.stringify escapes C0 but leaves DEL, the C1 controls (U+009B is a one-character CSI) and the
// line/bidi separators raw. They can only occur inside strings, where a \u escape means the same.
const JSON_UNSAFE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** JSON for a terminal (`--json` on stdout): what JSON.stringify writes, with no raw control character left. */
export function terminalJson(value: unknown, indent = 2): string {
  return JSON.stringify(value, null, indent).replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Objects with more members than this are written member by member. */
const STREAM_ABOVE = 64;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && typeof (v as { toJSON?: unknown }).toJSON !== 'function';

/** An object with many members, or one that holds such an object. */
function isBig(v: unknown): v is Record<string, unknown> {
  if (!isPlainObject(v)) return false;
  const values = Object.values(v);
  return values.length > STREAM_ABOVE || values.some(isBig);
}

/**
 * terminalJson in pieces: concatenated, exactly the same text, but an object with many members (the
 * hosts of a 10,000-host run) is written one member at a time, so the whole document never has to
 * exist as one string (and its escaped copy) in memory.
 */
export function* terminalJsonChunks(value: unknown, indent = 2, depth = 0): Generator<string> {
  if (!isBig(value)) {
    // Nested lines get this member's indentation; JSON text has no raw newlines inside strings.
    const pad = ' '.repeat(indent * depth);
    yield terminalJson(value, indent).replace(/\n/g, `\n${pad}`);
    return;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined && typeof v !== 'function');
  const inner = ' '.repeat(indent * (depth + 1));
  yield '{';
  for (let i = 0; i < entries.length; i++) {
    const [k, v] = entries[i]!;
    yield `${i ? ',' : ''}\n${inner}${terminalJson(k)}: `;
    yield* terminalJsonChunks(v, indent, depth + 1);
  }
  yield `\n${' '.repeat(indent * depth)}}`;
}
