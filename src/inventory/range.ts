/**
 * Host ranges as Ansible expands them (`expand_hostname_range`): `hv[01:40].dc1` keeps the zero
 * padding, `[a:f]` walks ASCII letters (a-z then A-Z), `[0:10:2]` has a stride, and several ranges in
 * one name multiply. One deliberate difference: a range that yields no host (`[5:1]`) is an error here,
 * where Ansible silently adds nothing.
 */

const ASCII_LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Thrown for a range that does not parse; the caller adds file and line. */
export class HostRangeError extends Error {}

/** Python's int(): optional sign, digits with single underscores between them, surrounding blanks. */
function pyInt(text: string): number {
  const t = text.trim();
  if (!/^[+-]?[0-9](?:_?[0-9])*$/.test(t)) throw new HostRangeError(`'${text}' is not a number`);
  return Number(t.replace(/_/g, ''));
}

/** Python's str.zfill: pad with zeros after any sign. */
function zfill(s: string, width: number): string {
  if (s.length >= width) return s;
  const sign = s[0] === '-' || s[0] === '+' ? s[0] : '';
  return sign + '0'.repeat(width - s.length) + s.slice(sign.length);
}

/** True when the name contains a range to expand (Ansible's detect_range: any '['). */
export function hasRange(name: string): boolean {
  return name.includes('[');
}

/** Expands every `[begin:end(:step)]` in `name`; throws HostRangeError naming the problem. */
export function expandHostnameRange(name: string): string[] {
  const open = name.indexOf('[');
  const close = name.indexOf(']', open);
  // Ansible splits on the first '[' and the first ']' *anywhere*; a ']' before the '[' is malformed too.
  const firstClose = name.indexOf(']');
  if (open < 0 || close < 0 || firstClose < open || name.includes('|')) {
    throw new HostRangeError(`unbalanced '[' ']' in host range '${name}'`);
  }
  const head = name.slice(0, open);
  const spec = name.slice(open + 1, close);
  const tail = name.slice(close + 1);
  const bounds = spec.split(':');
  if (bounds.length !== 2 && bounds.length !== 3) throw new HostRangeError(`host range [${spec}] must be begin:end or begin:end:step`);
  const beg = bounds[0] || '0';
  const end = bounds[1]!;
  const stepText = bounds[2] ?? '1';
  if (!end) throw new HostRangeError(`host range [${spec}] must specify an end value`);

  let fill = (x: string) => x;
  if (beg[0] === '0' && beg.length > 1) {
    if (beg.length !== end.length) throw new HostRangeError(`host range [${spec}] must use equal-length begin and end (zero padding)`);
    fill = (x) => zfill(x, beg.length);
  }

  const seq = alphaSequence(beg, end, stepText, spec) ?? numericSequence(beg, end, stepText, spec);
  if (seq.length === 0) throw new HostRangeError(`host range [${spec}] is empty (begin is after end)`);

  const out: string[] = [];
  for (const item of seq) {
    const host = head + fill(item) + tail;
    if (hasRange(host)) out.push(...expandHostnameRange(host));
    else out.push(host);
  }
  return out;
}

/** `[a:f]`-style ranges; undefined when the bounds are not letters (then they must be numbers). */
function alphaSequence(beg: string, end: string, stepText: string, spec: string): string[] | undefined {
  const iBeg = ASCII_LETTERS.indexOf(beg);
  const iEnd = ASCII_LETTERS.indexOf(end);
  if (iBeg < 0 || iEnd < 0) return undefined;
  if (iBeg > iEnd) throw new HostRangeError(`host range [${spec}] must have begin <= end`);
  let step: number;
  try {
    step = pyInt(stepText);
  } catch {
    return undefined;
  }
  if (step === 0) return undefined;
  const out: string[] = [];
  if (step > 0) for (let i = iBeg; i <= iEnd; i += step) out.push(ASCII_LETTERS[i]!);
  return out;
}

function numericSequence(beg: string, end: string, stepText: string, spec: string): string[] {
  let b: number, e: number, step: number;
  try {
    b = pyInt(beg);
    e = pyInt(end);
    step = pyInt(stepText);
  } catch (err) {
    throw new HostRangeError(`host range [${spec}]: ${(err as Error).message}`);
  }
  if (step === 0) throw new HostRangeError(`host range [${spec}] must not have a step of 0`);
  const out: string[] = [];
  const count = Math.ceil((e + 1 - b) / step);
  if (count > 1_000_000) throw new HostRangeError(`host range [${spec}] is too large (${count} hosts)`);
  if (step > 0) for (let i = b; i <= e; i += step) out.push(String(i));
  else for (let i = b; i > e + 1; i += step) out.push(String(i));
  return out;
}
