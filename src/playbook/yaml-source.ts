/**
 * YAML → plain JS values, remembering the line of every mapping, list and key, so that any later
 * validation error can name file:line. YAML 1.1 like Ansible (`yes`/`no` are booleans), with one
 * safety net: an octal-looking integer (`mode: 0644`) keeps its source text, because what the author
 * meant is the octal string, not the decimal number YAML 1.1 would make of it.
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseDocument, type Alias, type Node } from 'yaml';
import { PlaybookError, type SourceLocation } from '../core/errors.js';
import { aliasTargets, yamlProblem } from '../inventory/yaml-guard.js';

/** A parsed YAML file with line lookups for its containers and keys. */
export class YamlSource {
  readonly file: string;
  readonly value: unknown;
  readonly #lines = new WeakMap<object, number>();
  readonly #keyLines = new WeakMap<object, Map<string, number>>();
  readonly #itemLines = new WeakMap<object, number[]>();

  constructor(file: string, text: string) {
    this.file = file;
    const counter = new LineCounter();
    const doc = parseDocument(text, { lineCounter: counter, version: '1.1', merge: true, uniqueKeys: true, prettyErrors: false });
    const err = doc.errors[0];
    if (err) {
      const line = counter.linePos(err.pos[0]).line;
      throw new PlaybookError(`invalid YAML: ${err.message.split('\n')[0] ?? err.message}`, { file, line: line || undefined });
    }
    const targets = aliasTargets(doc);
    const problem = yamlProblem(doc, targets);
    if (problem) {
      const line = problem.offset === undefined ? undefined : counter.linePos(problem.offset).line || undefined;
      throw new PlaybookError(problem.message, { file, line });
    }
    const lineOf = (node: { range?: readonly number[] | null } | null | undefined) => {
      const off = node?.range?.[0];
      return off === undefined ? undefined : counter.linePos(off).line || undefined;
    };
    this.value = this.#convert(targets, doc.contents as Node | null, text, lineOf, 0);
  }

  /** Reads and parses `file`; a missing file is a PlaybookError naming it. */
  static async load(file: string, what = 'file'): Promise<YamlSource> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new PlaybookError(code === 'ENOENT' ? `${what} not found` : `cannot read ${what}: ${(err as Error).message}`, { file });
    }
    return new YamlSource(file, text);
  }

  /** Location of a mapping or list (its first line). */
  loc(obj: unknown): SourceLocation {
    const line = typeof obj === 'object' && obj !== null ? this.#lines.get(obj) : undefined;
    return line === undefined ? { file: this.file } : { file: this.file, line };
  }

  /** Location of `key` in mapping `obj` (falls back to the mapping's own line). */
  keyLoc(obj: unknown, key: string): SourceLocation {
    const line = typeof obj === 'object' && obj !== null ? this.#keyLines.get(obj)?.get(key) : undefined;
    return line === undefined ? this.loc(obj) : { file: this.file, line };
  }

  /** Location of item `i` of list `list`. */
  itemLoc(list: unknown, i: number): SourceLocation {
    const line = typeof list === 'object' && list !== null ? this.#itemLines.get(list)?.[i] : undefined;
    return line === undefined ? this.loc(list) : { file: this.file, line };
  }

  #convert(
    targets: ReadonlyMap<Alias, Node>,
    node: Node | null,
    text: string,
    lineOf: (n: Node | null | undefined) => number | undefined,
    depth: number,
  ): unknown {
    if (depth > 200) throw new PlaybookError('YAML nested too deeply (alias loop?)', { file: this.file, line: lineOf(node) });
    if (node === null || node === undefined) return null;
    if (isAlias(node)) return this.#convert(targets, targets.get(node) ?? null, text, lineOf, depth + 1);
    if (isScalar(node)) {
      const v = node.value;
      if (typeof v === 'number' && Number.isInteger(v) && node.range) {
        const src = text.slice(node.range[0], node.range[1]).trim();
        if (/^0[0-7]+$/.test(src)) return src;
      }
      return v;
    }
    if (isSeq(node)) {
      const out: unknown[] = [];
      const lines: number[] = [];
      for (const item of node.items) {
        out.push(this.#convert(targets, item as Node | null, text, lineOf, depth + 1));
        lines.push(lineOf(item as Node) ?? lineOf(node) ?? 0);
      }
      this.#remember(out, lineOf(node));
      this.#itemLines.set(out, lines);
      return out;
    }
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      const keys = new Map<string, number>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key as Node | null;
        const raw = isScalar(keyNode) ? keyNode.value : this.#convert(targets, keyNode, text, lineOf, depth + 1);
        // With `merge: true` the yaml package gives a merge key as Symbol('<<'), not the string.
        const key = typeof raw === 'symbol' ? (raw.description ?? '') : String(raw);
        if (key === '<<') {
          // Merge keys: earlier explicit keys win, like YAML's merge semantics.
          const merged = this.#convert(targets, pair.value as Node | null, text, lineOf, depth + 1);
          for (const m of Array.isArray(merged) ? merged : [merged]) {
            if (m && typeof m === 'object') for (const [k, v] of Object.entries(m)) if (!(k in out)) out[k] = v;
          }
          continue;
        }
        out[key] = this.#convert(targets, pair.value as Node | null, text, lineOf, depth + 1);
        const line = lineOf(keyNode);
        if (line !== undefined) keys.set(key, line);
      }
      this.#remember(out, lineOf(node));
      this.#keyLines.set(out, keys);
      return out;
    }
    throw new PlaybookError('unsupported YAML node', { file: this.file, line: lineOf(node) });
  }

  #remember(obj: object, line: number | undefined): void {
    if (line !== undefined) this.#lines.set(obj, line);
  }
}
