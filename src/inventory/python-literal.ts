/**
 * Python's `ast.literal_eval` for the values Ansible's INI plugin reads: `n=5` is a number, `x=True` a
 * boolean, `l=[1, 'a']` a list, and anything literal_eval rejects (`yes`, `010`, `a b`) stays a string.
 * Tuples and sets become arrays, bytes become strings; complex numbers and `...` are treated as
 * not-a-literal (Ansible itself cannot serialise them).
 */
import { MAX_NESTING } from './nesting.js';

/** Thrown when a literal nests lists, tuples, dicts or sets more than MAX_NESTING deep. */
export class LiteralTooDeep extends Error {}

/** Returned when the text is not a Python literal (the caller keeps the original string). */
export const NOT_LITERAL: unique symbol = Symbol('NOT_LITERAL');

/** Thrown internally; a plain object, because capturing an Error's stack per INI value is slow. */
const NOT_A_LITERAL = { notLiteral: true };

type Tok =
  { t: 'str'; v: string; bytes: boolean } | { t: 'num'; v: number } | { t: 'name'; v: string } | { t: 'op'; v: string } | { t: 'end' };

const fail = (): never => {
  throw NOT_A_LITERAL;
};

const PLAIN_WORD = /^[A-Za-z_][\w.-]*$/;
const PLAIN_INT = /^(?:-?[1-9][0-9]*|0)$/;

/** Evaluates `src` like ast.literal_eval; returns NOT_LITERAL where Python raises ValueError/SyntaxError. */
export function literalEval(src: string): unknown {
  // Fast paths for the bulk of inventory values: bare words (br0, ops, yes) and plain integers.
  if (PLAIN_WORD.test(src)) return src === 'True' ? true : src === 'False' ? false : src === 'None' ? null : NOT_LITERAL;
  if (PLAIN_INT.test(src) && src.length < 16) return Number(src);
  try {
    const p = new Parser(tokenize(src.replace(/^[ \t]+/, '')));
    const v = p.testList();
    if (p.peek().t !== 'end') fail();
    return v;
  } catch (e) {
    if (e === NOT_A_LITERAL) return NOT_LITERAL;
    throw e;
  }
}

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly toks: Tok[]) {}

  peek(): Tok {
    return this.toks[this.i]!;
  }
  private next(): Tok {
    return this.toks[this.i++]!;
  }
  private isOp(v: string): boolean {
    const t = this.peek();
    return t.t === 'op' && t.v === v;
  }
  private expectOp(v: string): void {
    if (!this.isOp(v)) fail();
    this.i++;
  }

  /** `a, b` (a tuple) or a single value. */
  testList(closing = ''): unknown {
    const first = this.value();
    if (!this.isOp(',')) return first;
    const items = [first];
    while (this.isOp(',')) {
      this.i++;
      if (this.peek().t === 'end' || (closing && this.isOp(closing))) break;
      items.push(this.value());
    }
    return items;
  }

  private value(): unknown {
    const t = this.peek();
    if (t.t === 'op' && (t.v === '-' || t.v === '+')) {
      this.i++;
      // literal_eval allows one sign, and only on a number literal.
      const n = this.atom();
      if (typeof n !== 'number') return fail();
      const signed = t.v === '-' ? -n : n;
      if (this.isOp('+') || this.isOp('-')) fail(); // only complex numbers may be added
      return signed;
    }
    const v = this.atom();
    if (this.isOp('+') || this.isOp('-')) fail();
    return v;
  }

  private atom(): unknown {
    const t = this.next();
    switch (t.t) {
      case 'num':
        return t.v;
      case 'str': {
        let s = t.v;
        // Adjacent string literals concatenate; str and bytes cannot be mixed.
        for (let n = this.peek(); n.t === 'str'; n = this.peek()) {
          if (n.bytes !== t.bytes) fail();
          s += n.v;
          this.i++;
        }
        return s;
      }
      case 'name':
        if (t.v === 'True') return true;
        if (t.v === 'False') return false;
        if (t.v === 'None') return null;
        return fail();
      case 'op':
        if (t.v === '(' || t.v === '[' || t.v === '{') return this.nested(t.v);
        return fail();
      default:
        return fail();
    }
  }

  /** A bracketed value; the depth check keeps recursion far from the stack's limit. */
  private nested(open: string): unknown {
    if (++this.depth > MAX_NESTING) throw new LiteralTooDeep();
    try {
      if (open === '[') return this.list(']');
      if (open === '{') return this.dictOrSet();
      if (this.isOp(')')) {
        this.i++;
        return [];
      }
      const v = this.testList(')');
      this.expectOp(')');
      return v;
    } finally {
      this.depth--;
    }
  }

  private list(closing: string): unknown[] {
    const items: unknown[] = [];
    while (!this.isOp(closing)) {
      items.push(this.value());
      if (!this.isOp(',')) break;
      this.i++;
    }
    this.expectOp(closing);
    return items;
  }

  private dictOrSet(): unknown {
    if (this.isOp('}')) {
      this.i++;
      return {};
    }
    const first = this.value();
    if (!this.isOp(':')) {
      const items = [first];
      while (this.isOp(',')) {
        this.i++;
        if (this.isOp('}')) break;
        items.push(this.value());
      }
      this.expectOp('}');
      return items;
    }
    const out: Record<string, unknown> = {};
    let key = first;
    for (;;) {
      this.expectOp(':');
      if (key !== null && typeof key === 'object') fail(); // unhashable key
      out[pyKey(key)] = this.value();
      if (!this.isOp(',')) break;
      this.i++;
      if (this.isOp('}')) break;
      key = this.value();
    }
    this.expectOp('}');
    return out;
  }
}

/** How Python's json module writes a dict key. */
function pyKey(k: unknown): string {
  if (k === null) return 'null';
  if (typeof k === 'boolean') return k ? 'true' : 'false';
  return String(k);
}

const NUMBER_RE =
  /^(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:(?:[0-9](?:_?[0-9])*)?\.[0-9](?:_?[0-9])*|[0-9](?:_?[0-9])*\.?)(?:[eE][+-]?[0-9](?:_?[0-9])*)?)/;

function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\f' || c === '\r' || c === '\n') {
      i++;
    } else if (c === '#') {
      const nl = src.indexOf('\n', i);
      i = nl < 0 ? src.length : nl;
    } else if ('()[]{},:+-'.includes(c)) {
      toks.push({ t: 'op', v: c });
      i++;
    } else if (c === '.' && src.startsWith('...', i)) {
      return fail(); // Ellipsis
    } else if (/[0-9.]/.test(c)) {
      const m = NUMBER_RE.exec(src.slice(i));
      if (!m || m[0] === '.') return fail();
      const text = m[0];
      i += text.length;
      if (/^[jJ]/.test(src.slice(i)) || /^[A-Za-z0-9_]/.test(src.slice(i))) return fail(); // complex or junk
      toks.push({ t: 'num', v: parseNumber(text) });
    } else if (/[A-Za-z_]/.test(c) || c.charCodeAt(0) > 127) {
      const m = /^[\p{L}\p{N}_]+/u.exec(src.slice(i));
      if (!m) return fail();
      const word = m[0];
      const quote = src[i + word.length];
      if ((quote === "'" || quote === '"') && /^(?:[rRuUbB]|[bB][rR]|[rR][bB])$/.test(word)) {
        const raw = /[rR]/.test(word);
        const bytes = /[bB]/.test(word);
        const [v, end] = readString(src, i + word.length, raw, bytes);
        toks.push({ t: 'str', v, bytes });
        i = end;
      } else {
        toks.push({ t: 'name', v: word });
        i += word.length;
      }
    } else if (c === "'" || c === '"') {
      const [v, end] = readString(src, i, false, false);
      toks.push({ t: 'str', v, bytes: false });
      i = end;
    } else {
      return fail();
    }
  }
  toks.push({ t: 'end' });
  return toks;
}

function parseNumber(text: string): number {
  const t = text.replace(/_/g, '');
  if (/^0[xX]/.test(t)) return parseInt(t.slice(2), 16);
  if (/^0[oO]/.test(t)) return parseInt(t.slice(2), 8);
  if (/^0[bB]/.test(t)) return parseInt(t.slice(2), 2);
  // Python forbids leading zeros on a non-zero decimal integer (`010` is a SyntaxError).
  if (/^0+[0-9]+$/.test(t) && /[1-9]/.test(t)) fail();
  return Number(t);
}

/** Reads a quoted literal starting at the quote; returns its value and the index after it. */
function readString(src: string, start: number, raw: boolean, bytes: boolean): [string, number] {
  const q = src[start]!;
  const triple = src.startsWith(q.repeat(3), start);
  const close = triple ? q.repeat(3) : q;
  let i = start + close.length;
  let out = '';
  for (;;) {
    if (i >= src.length) return fail();
    if (src.startsWith(close, i)) return [out, i + close.length];
    const c = src[i]!;
    if (!triple && c === '\n') return fail();
    if (c !== '\\') {
      out += c;
      i++;
      continue;
    }
    const n = src[i + 1];
    if (n === undefined) return fail();
    if (raw) {
      // Raw strings keep the backslash, but it still stops a quote from ending the string.
      out += c + n;
      i += 2;
      continue;
    }
    const [decoded, used] = decodeEscape(src, i + 1, bytes);
    out += decoded;
    i += 1 + used;
  }
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\n': '',
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/** Decodes the escape whose letter is at src[i]; returns [text, characters consumed after the backslash]. */
function decodeEscape(src: string, i: number, bytes: boolean): [string, number] {
  const n = src[i]!;
  const simple = SIMPLE_ESCAPES[n];
  if (simple !== undefined) return [simple, 1];
  const oct = /^[0-7]{1,3}/.exec(src.slice(i));
  if (oct) return [String.fromCodePoint(parseInt(oct[0], 8)), oct[0].length];
  const hexLen = n === 'x' ? 2 : !bytes && n === 'u' ? 4 : !bytes && n === 'U' ? 8 : 0;
  if (hexLen) {
    const hex = src.slice(i + 1, i + 1 + hexLen);
    if (!new RegExp(`^[0-9a-fA-F]{${hexLen}}$`).test(hex)) return fail();
    const cp = parseInt(hex, 16);
    if (cp > 0x10ffff) return fail();
    return [String.fromCodePoint(cp), 1 + hexLen];
  }
  if (!bytes && n === 'N') return fail(); // \N{NAME}: no Unicode name table here
  // Unknown escapes are kept as written.
  return ['\\' + n, 1];
}
