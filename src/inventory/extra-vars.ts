/**
 * `-e` extra vars, read as ansible-core's load_extra_vars reads them: `@file` (YAML or JSON),
 * inline `{...}`/`[...]` (JSON or YAML), or `key=value key2="a b"` (values stay strings, as in Ansible).
 * Later -e values replace earlier ones key by key.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError, inputText } from '../core/errors.js';
import type { Vars } from '../core/inventory.js';
import { parseVarsText } from './vars-text.js';

const inputError = (m: string, loc: { file: string; line?: number }) => new InputError(m, loc);

/** Parses every -e value (relative @files from cwd) into one set of vars. */
export async function parseExtraVars(values: readonly string[], cwd: string): Promise<Vars> {
  let out: Vars = {};
  for (const value of values) {
    if (!value) continue;
    out = { ...out, ...(await parseOne(value, cwd)) };
  }
  return out;
}

async function parseOne(value: string, cwd: string): Promise<Vars> {
  if (value.startsWith('@')) {
    const shown = value.slice(1);
    let text: string;
    try {
      text = await readFile(path.resolve(cwd, shown), 'utf8');
    } catch (e) {
      throw new InputError(
        `-e ${inputText(value)}: cannot read extra vars file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      );
    }
    const vars = parseVarsText(text, shown, inputError);
    if (!vars) throw new InputError('-e: extra vars file is empty (it must hold a mapping of variables)', { file: shown });
    return vars;
  }
  if (value[0] === '/' || value[0] === '.')
    throw new InputError(`-e ${inputText(value)}: prepend a file name with '@' (-e @${inputText(value)})`);
  if (value[0] === '{' || value[0] === '[') {
    const vars = parseVarsText(value, '-e', inputError);
    if (!vars) throw new InputError(`-e '${inputText(value)}': could not be made into a mapping of variables`);
    return vars;
  }
  return parseKeyValues(value);
}

/** Ansible's parse_kv for extra vars: `k=v` words; quotes group words and are removed from values. */
export function parseKeyValues(text: string): Vars {
  const out: Vars = {};
  for (const word of splitArgs(text)) {
    const x = decodeEscapes(word, text);
    let pos = -1;
    for (let i = x.indexOf('=', 1); i > 0; i = x.indexOf('=', i + 1)) {
      if (x[i - 1] !== '\\') {
        pos = i;
        break;
      }
    }
    if (pos < 0) throw new InputError(`-e '${inputText(text)}': expected key=value, JSON/YAML ({...}) or @file, got '${inputText(word)}'`);
    out[x.slice(0, pos).trim()] = unquote(x.slice(pos + 1).trim());
  }
  return out;
}

function unquote(s: string): string {
  const quoted = s.length > 1 && s[0] === s[s.length - 1] && (s[0] === '"' || s[0] === "'") && s[s.length - 2] !== '\\';
  return quoted ? s.slice(1, -1) : s;
}

/** Splits on spaces/newlines outside quotes and Jinja `{{ }}` / `{% %}` / `{# #}` blocks. */
function splitArgs(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | undefined;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const two = text.slice(i, i + 2);
    if (!quote && (two === '{{' || two === '{%' || two === '{#')) {
      depth++;
      cur += two;
      i++;
    } else if (!quote && depth > 0 && (two === '}}' || two === '%}' || two === '#}')) {
      depth--;
      cur += two;
      i++;
    } else if ((c === '"' || c === "'") && text[i - 1] !== '\\') {
      if (!quote) quote = c;
      else if (quote === c) quote = undefined;
      cur += c;
    } else if ((c === ' ' || c === '\n') && !quote && depth === 0) {
      if (cur) out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (quote || depth) throw new InputError(`-e '${inputText(text)}': unbalanced quotes or Jinja block`);
  if (cur) out.push(cur);
  return out;
}

const ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** Ansible's _decode_escapes: \n, \t, \xNN, \uNNNN, \UNNNNNNNN and friends. */
function decodeEscapes(s: string, text: string): string {
  return s.replace(/\\(U[0-9a-fA-F]{8}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[\\'"abfnrtv])/g, (m, e: string) => {
    if (e.length === 1) return ESCAPES[e]!;
    const code = parseInt(e.slice(1), 16);
    // \U takes 8 hex digits but Unicode stops at 10FFFF (Python refuses the rest too).
    if (code > 0x10ffff) throw new InputError(`-e '${inputText(text)}': '${m}' is not a Unicode code point`);
    return String.fromCodePoint(code);
  });
}
