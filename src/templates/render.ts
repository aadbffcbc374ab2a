/**
 * The ONE place that renders templates for configs and commands (nunjucks with Jinja2 syntax).
 * autoescape is off (these are config files and shell commands, not HTML) and undefined is an error
 * everywhere, not only when printed: see strict.ts. Everything is compiled up front by the playbook
 * validator, so a syntax error fails before any host is contacted.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import nunjucks from 'nunjucks';
// The transformer is not re-exported by nunjucks' index; it is a plain CommonJS module.
import transformer from 'nunjucks/src/transformer.js';
import { FleetError, PlaybookError, formatLocation, type SourceLocation } from '../core/errors.js';
import { FILTERS, pyStr, splitKwargs } from './filters.js';
import { TESTS } from './jinja-tests.js';
import { LazyValue, hasTemplate } from './lazy.js';
import { pyMethod } from './pymethods.js';
import { HELPERS, StrictRewriter, type NjNode, type NjNodeClasses } from './strict.js';
import { isMapping, truthy } from './truth.js';

export type Vars = Record<string, unknown>;

/** A template or expression failed while rendering (undefined variable, bad filter input…). */
export class RenderError extends FleetError {
  /** The problem without the location prefix. */
  readonly detail: string;
  readonly location: SourceLocation | undefined;
  constructor(detail: string, location?: SourceLocation) {
    super(location ? `${formatLocation(location)}: ${detail}` : detail, 'FLEET_TEMPLATE_ERROR', 1);
    this.name = 'RenderError';
    this.detail = detail;
    this.location = location;
  }
}

/** Raised by the strict lookups; turned into a RenderError naming the variable (and its template line). */
class UndefinedVariable extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

/** A compiled template string. */
export interface CompiledTemplate {
  readonly source: string;
  /** Renders to text. */
  render(vars: Vars): string;
  /**
   * The template's value: for a string that is exactly one `{{ expr }}` this is the expression's
   * native value (a list stays a list, as in Ansible); otherwise the rendered text.
   */
  value(vars: Vars): unknown;
}

/** A compiled bare Jinja expression (`when`, `failed_when`, `until`, `assert.that`…). */
export interface CompiledExpression {
  readonly source: string;
  evaluate(vars: Vars): unknown;
  /** Python truthiness of the value. */
  test(vars: Vars): boolean;
}

interface NjTemplate {
  render(ctx: object): string;
}

interface NjInternals {
  parser: { parse(src: string, extensions: unknown[], opts: unknown): NjNode };
  compiler: { Compiler: new (name: string, throwOnUndefined: boolean) => { compile(n: NjNode): void; getCode(): string } };
  nodes: NjNodeClasses;
  Template: new (src: { type: 'code'; obj: unknown }, env: unknown, path: string, eager: boolean) => NjTemplate;
}

const nj = nunjucks as unknown as NjInternals & typeof nunjucks;
const transform = (transformer as unknown as { transform(ast: NjNode, asyncFilters: string[], name: string): NjNode }).transform;

// dev: keep nunjucks' error objects (with the cause and line) instead of flattening them to a message.
const ENV_OPTS = { autoescape: false, throwOnUndefined: true, trimBlocks: true, lstripBlocks: false, dev: true };
/**
 * nunjucks looks names up in plain objects at compile time, so `{{ constructor }}`, `{{ toString }}`
 * or `{{ __proto__ }}` found Object.prototype's members and compiled into broken JavaScript (a crash,
 * exit 3). Names Object.prototype owns are refused as a template error instead.
 */
function refuseObjectNames(root: NjNode): void {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as NjNode | undefined;
    if (!node || typeof node !== 'object') continue;
    if (node.typename === 'Symbol' && String(node.value) in Object.prototype) {
      // `line` (1-based) is what errorLine() reads to place the error in the file.
      throw Object.assign(new Error(`'${String(node.value)}' cannot be used as a name`), { line: Number(node.lineno) + 1 });
    }
    for (const v of Object.values(node)) {
      if (Array.isArray(v)) stack.push(...(v as unknown[]));
      else if (v && typeof v === 'object' && 'typename' in v) stack.push(v);
    }
  }
}

const FORBIDDEN_ATTRS = new Set(['__proto__', 'constructor', 'prototype', '__defineGetter__', '__defineSetter__', '__lookupGetter__']);

/** One line of a nunjucks error, without its "(path) [Line n, Column m]" preamble. */
function errorText(err: unknown): string {
  let e = err as { cause?: unknown; message?: string } | undefined;
  // The most specific message is the innermost cause (our own errors, or a filter's).
  while (e && typeof e === 'object' && e.cause instanceof Error) e = e.cause as typeof e;
  const msg = String(e?.message ?? err);
  const lines = msg
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^\(.*\)( \[Line \d+(, Column \d+)?\])?$/.test(l));
  return (lines.join(' ') || msg).replace(/^(Template render error|Error|TypeError|RangeError): /, '');
}

/** The template line of an error: ours carry it; nunjucks puts "[Line n" in its message. */
function errorLine(err: unknown): number | undefined {
  for (
    let e = err as { cause?: unknown; line?: unknown; message?: unknown } | undefined;
    e && typeof e === 'object';
    e = e.cause as typeof e
  ) {
    if (typeof e.line === 'number' && e.line > 0) return e.line;
  }
  const n = (err as { lineno?: unknown } | undefined)?.lineno;
  if (typeof n === 'number' && n > 0) return n;
  const m = /\[Line (\d+)/.exec(String((err as { message?: unknown } | undefined)?.message ?? ''));
  return m ? Number(m[1]) : undefined;
}

/** A source snippet for a one-line message. */
function clip(source: string): string {
  const flat = source.replace(/\s*\n\s*/g, ' ⏎ ');
  return flat.length > 60 ? `${flat.slice(0, 57)}...` : flat;
}

/** Jinja-style printing: None prints as '', lists and mappings as JSON. */
function printable(value: unknown): unknown {
  if (value === null) return '';
  // Only plain data becomes JSON: nunjucks' SafeString (macro output) is an object too.
  if (Array.isArray(value) || (isMapping(value) && Object.getPrototypeOf(value) === Object.prototype)) return JSON.stringify(value);
  return value;
}

export interface TemplateEngineOptions {
  /** Directories searched for template files (the template module and `{% include %}`). */
  readonly searchPaths?: readonly string[];
}

/** Compiles and renders templates and expressions with fleet's filters and strict undefined. */
export class TemplateEngine {
  readonly #env: nunjucks.Environment;
  readonly #rewriter = new StrictRewriter(nj.nodes);
  readonly #cache = new Map<string, CompiledTemplate>();
  readonly #exprCache = new Map<string, CompiledExpression>();
  readonly #searchPaths: string[];
  /** Result slots for expression evaluation; a stack because lazy vars render while evaluating. */
  readonly #captured: { value: unknown }[] = [];
  /** Lazy vars being resolved, to report `a: "{{ b }}"`, `b: "{{ a }}"` instead of overflowing the stack. */
  readonly #resolving = new Set<LazyValue>();

  constructor(opts: TemplateEngineOptions = {}) {
    this.#searchPaths = (opts.searchPaths ?? []).map((p) => path.resolve(p));
    const loader = { getSource: (name: string) => this.#loadSource(name) };
    this.#env = new nunjucks.Environment([loader as unknown as nunjucks.ILoader], ENV_OPTS);
    this.#installFilters();
  }

  /** Compiles a template string. Syntax errors throw PlaybookError at `where` (+ the template line). */
  template(source: string, where: SourceLocation): CompiledTemplate {
    const cached = this.#cache.get(source);
    if (cached) return cached;
    const compiled = this.#compileTemplate(source, where);
    this.#cache.set(source, compiled);
    return compiled;
  }

  /** Compiles a bare expression; YAML booleans/numbers are accepted as constants. */
  expression(source: string | number | boolean | null, where: SourceLocation): CompiledExpression {
    if (typeof source !== 'string') {
      const constant = source;
      return { source: String(source), evaluate: () => constant, test: () => truthy(constant) };
    }
    const cached = this.#exprCache.get(source);
    if (cached) return cached;
    // `when: "{{ x }}"` works in Ansible (with a warning); accept it.
    const unwrapped = /^\s*\{\{([\s\S]*)\}\}\s*$/.exec(source);
    const inner = unwrapped && !unwrapped[1]?.includes('{{') ? (unwrapped[1] ?? '') : source;
    if (!inner.trim()) throw new PlaybookError('empty expression', where);
    const root = this.#parse(`{{ ${inner} }}`, where, `expression '${clip(source)}'`);
    const node = singleExpression(root);
    if (!node) throw new PlaybookError(`'${clip(source)}' is not a single Jinja expression`, where);
    const render = this.#compileAst(this.#captureRoot(root, node), where.file);
    const evaluate = (vars: Vars) => this.#capture(render, vars);
    const compiled: CompiledExpression = { source, evaluate, test: (vars) => truthy(evaluate(vars)) };
    this.#exprCache.set(source, compiled);
    return compiled;
  }

  /**
   * A read-only view of `vars` for code outside the template world (check functions, planFix):
   * lazy template values are resolved when read, so an unused broken var costs nothing.
   */
  resolvedView(vars: Vars): Vars {
    return new Proxy(vars, {
      get: (target, key, receiver) => {
        const v: unknown = Reflect.get(target, key, receiver);
        return v instanceof LazyValue && typeof key === 'string'
          ? this.#run(() => this.#resolveLazy(v, target, key), { file: `var '${key}'` })
          : v;
      },
      getOwnPropertyDescriptor: (target, key) => {
        const d = Reflect.getOwnPropertyDescriptor(target, key);
        if (d && d.value instanceof LazyValue && typeof key === 'string')
          return { ...d, value: this.#run(() => this.#resolveLazy(d.value as LazyValue, target, key), { file: `var '${key}'` }) };
        return d;
      },
      set: () => false,
      deleteProperty: () => false,
    });
  }

  /** Renders any value from a playbook: strings are templates, lists and mappings are walked. */
  renderValue(value: unknown, vars: Vars, where: SourceLocation): unknown {
    if (typeof value === 'string') {
      if (!hasTemplate(value)) return value;
      return this.#run(() => this.template(value, where).value(vars), where);
    }
    if (Array.isArray(value)) return value.map((v) => this.renderValue(v, vars, where));
    if (isMapping(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.renderValue(v, vars, where);
      return out;
    }
    return value;
  }

  /** Renders a string template to text. */
  renderString(source: string, vars: Vars, where: SourceLocation): string {
    if (!hasTemplate(source)) return source;
    return this.#run(() => this.template(source, where).render(vars), where);
  }

  /** Evaluates a compiled expression, turning failures into RenderError at `where`. */
  evaluate(expr: CompiledExpression, vars: Vars, where: SourceLocation): unknown {
    return this.#run(() => expr.evaluate(vars), where);
  }

  /** Tests a compiled expression (Python truthiness), turning failures into RenderError at `where`. */
  test(expr: CompiledExpression, vars: Vars, where: SourceLocation): boolean {
    return this.#run(() => expr.test(vars), where);
  }

  /**
   * Compiles the template file `name` from the search paths (validation) and returns its full path.
   * Syntax errors throw PlaybookError naming the template file and line.
   */
  checkFile(name: string, where: SourceLocation): string {
    const full = this.#resolve(name);
    if (!full) throw new PlaybookError(`template '${name}' not found in ${this.#searchPaths.join(', ') || '(no template dirs)'}`, where);
    this.#env.getTemplate(name, true);
    return full;
  }

  /** Renders the template file `name`; errors name the template file and line. */
  renderFile(name: string, vars: Vars): string {
    const full = this.#resolve(name);
    if (!full) throw new RenderError(`template '${name}' not found in ${this.#searchPaths.join(', ') || '(no template dirs)'}`);
    try {
      return this.#env.getTemplate(name, true).render(vars);
    } catch (err) {
      if (err instanceof FleetError) throw err;
      throw new RenderError(errorText(err), { file: full, line: errorLine(err) });
    }
  }

  // ---- internals ----

  #run<T>(fn: () => T, where: SourceLocation): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof RenderError) throw err;
      throw new RenderError(errorText(err), where);
    }
  }

  #resolve(name: string): string | undefined {
    for (const dir of this.#searchPaths) {
      const full = path.resolve(dir, name);
      // Template names come from the playbook, but stay inside the template dirs anyway.
      if (full !== dir && !full.startsWith(dir + path.sep)) continue;
      try {
        if (statSync(full).isFile()) return full;
      } catch {
        // not in this directory
      }
    }
    return undefined;
  }

  #loadSource(name: string): { src: { type: 'code'; obj: unknown }; path: string } | null {
    const full = this.#resolve(name);
    if (!full) return null;
    const text = readFileSync(full, 'utf8');
    return { src: { type: 'code', obj: this.#compileProps(this.#parse(text, { file: full }, 'template'), full) }, path: full };
  }

  #parse(source: string, where: SourceLocation, what: string): NjNode {
    try {
      const root = nj.parser.parse(source, [], ENV_OPTS) as NjNode;
      refuseObjectNames(root);
      return root;
    } catch (err) {
      const line = errorLine(err);
      const loc =
        line !== undefined && where.line === undefined
          ? { ...where, line }
          : line !== undefined && where.line !== undefined
            ? { ...where, line: where.line + line - 1 }
            : where;
      throw new PlaybookError(`invalid ${what}: ${errorText(err)}`, loc);
    }
  }

  /** parse → nunjucks' own transform → strict rewrite → compile: the pipeline nunjucks runs, plus our rewrite. */
  #compileProps(root: NjNode, name: string): unknown {
    const ast = this.#rewriter.root(transform(root, [], name));
    const c = new nj.compiler.Compiler(name, ENV_OPTS.throwOnUndefined);
    c.compile(ast);
    return new Function(c.getCode())() as unknown;
  }

  #compileAst(root: NjNode, name: string): NjTemplate {
    return new nj.Template({ type: 'code', obj: this.#compileProps(root, name) }, this.#env, name, true);
  }

  #compileTemplate(source: string, where: SourceLocation): CompiledTemplate {
    const root = this.#parse(source, where, `template '${clip(source)}'`);
    const single = singleExpression(root);
    const tmpl = this.#compileAst(root, where.file);
    const render = (vars: Vars) => tmpl.render(vars);
    if (!single) return { source, render, value: render };
    // Build the native-value variant from a fresh parse: the rewrite mutates the tree in place.
    const root2 = nj.parser.parse(source, [], ENV_OPTS);
    const capture = this.#compileAst(this.#captureRoot(root2, singleExpression(root2) as NjNode), where.file);
    return { source, render, value: (vars) => this.#capture(capture, vars) };
  }

  /** Replaces the single printed expression with a call that captures its value. */
  #captureRoot(root: NjNode, expr: NjNode): NjNode {
    const { Filter, Symbol, NodeList } = nj.nodes;
    const out = root.children?.[0] as NjNode;
    out.children = [
      new Filter(
        expr.lineno,
        expr.colno,
        new Symbol(expr.lineno, expr.colno, HELPERS.capture),
        new NodeList(expr.lineno, expr.colno, [expr]),
      ),
    ];
    return root;
  }

  #capture(tmpl: NjTemplate, vars: Vars): unknown {
    const slot = { value: undefined as unknown };
    this.#captured.push(slot);
    try {
      tmpl.render(vars);
    } finally {
      this.#captured.pop();
    }
    return slot.value;
  }

  #resolveLazy(lazy: LazyValue, vars: Vars, name: string): unknown {
    if (this.#resolving.has(lazy)) throw new UndefinedVariable(`recursive loop while resolving '${name}'`);
    this.#resolving.add(lazy);
    try {
      const walk = (v: unknown): unknown => {
        if (typeof v === 'string') return hasTemplate(v) ? this.template(v, { file: `var '${name}'` }).value(vars) : v;
        if (Array.isArray(v)) return v.map(walk);
        if (isMapping(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
        return v;
      };
      try {
        return walk(lazy.raw);
      } catch (err) {
        const text = errorText(err);
        // Only the innermost var is named: that is where the bad reference is written.
        throw new UndefinedVariable(text.includes('(in var ') ? text : `${text} (in var '${name}')`);
      }
    } finally {
      this.#resolving.delete(lazy);
    }
  }

  #installFilters(): void {
    const env = this.#env;
    for (const [name, fn] of Object.entries(FILTERS)) env.addFilter(name, fn);
    const withTests = env as unknown as { addTest(name: string, fn: (...a: unknown[]) => boolean): void };
    for (const [name, fn] of Object.entries(TESTS)) withTests.addTest(name, fn);
    const engine = this;
    type Ctx = { ctx: Vars };

    env.addFilter(HELPERS.variable, function (this: Ctx, value: unknown, name: string, strict: boolean, line: number) {
      const v = value instanceof LazyValue ? engine.#resolveLazy(value, this.ctx, name) : value;
      if (v === undefined && strict) throw new UndefinedVariable(`'${name}' is undefined`, line);
      return v;
    });
    env.addFilter(HELPERS.attribute, (obj: unknown, key: unknown, strict: boolean, label: string, line: number) => {
      try {
        return attribute(obj, key, strict, label);
      } catch (err) {
        throw new UndefinedVariable((err as Error).message, line);
      }
    });
    env.addFilter(HELPERS.output, (value: unknown, line: number) => {
      if (value === undefined) throw new UndefinedVariable('expression is undefined', line);
      return printable(value);
    });
    env.addFilter(HELPERS.add, (a: unknown, b: unknown) => {
      if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
      if (Array.isArray(a) || Array.isArray(b)) throw new Error('can only concatenate a list to a list');
      return (a as number) + (b as number);
    });
    env.addFilter(HELPERS.capture, (value: unknown) => {
      const slot = this.#captured.at(-1);
      if (slot) slot.value = value;
      return '';
    });

    const callFilter = (name: string, value: unknown, args: unknown[]): unknown =>
      env.getFilter(name).call(undefined, value, ...args) as unknown;
    const callTest = (name: string, value: unknown, args: unknown[]): boolean =>
      truthy((env as unknown as { getTest(n: string): (...a: unknown[]) => unknown }).getTest(name).call(undefined, value, ...args));

    // Jinja's map/select/reject/selectattr/rejectattr (nunjucks lacks map and test arguments).
    env.addFilter('map', (value: unknown, ...rest: unknown[]) => {
      const { pos, kw } = splitKwargs(rest);
      const list = Array.isArray(value) ? value : [];
      if (kw['attribute'] !== undefined) {
        const attr = String(kw['attribute']);
        return list.map((i) => (isMapping(i) && attr in i ? i[attr] : kw['default']));
      }
      const [name, ...args] = pos;
      if (typeof name !== 'string') throw new Error('map: expected a filter name or attribute=');
      return list.map((i) => callFilter(name, i, args));
    });
    const selecting =
      (keep: boolean) =>
      (value: unknown, test?: unknown, ...args: unknown[]) =>
        (Array.isArray(value) ? value : []).filter((i) => (test === undefined ? truthy(i) : callTest(String(test), i, args)) === keep);
    env.addFilter('select', selecting(true));
    env.addFilter('reject', selecting(false));
    const selectingAttr =
      (keep: boolean) =>
      (value: unknown, attr: unknown, test?: unknown, ...args: unknown[]) =>
        (Array.isArray(value) ? value : []).filter((i) => {
          const v = isMapping(i) ? i[pyStr(attr)] : undefined;
          return (test === undefined ? truthy(v) : callTest(String(test), v, args)) === keep;
        });
    env.addFilter('selectattr', selectingAttr(true));
    env.addFilter('rejectattr', selectingAttr(false));
  }
}

/** Strict attribute/item lookup (`x.y`, `x['y']`, `x[0]`, `x[-1]`), with Python methods on values. */
function attribute(obj: unknown, key: unknown, strict: boolean, label: string): unknown {
  if (obj === undefined || obj === null) {
    if (!strict) return undefined;
    throw new UndefinedVariable(`'${label}' is undefined (${obj === null ? 'its parent is null' : 'its parent is undefined'})`);
  }
  const k = typeof key === 'number' ? key : String(key);
  if (typeof k === 'string' && FORBIDDEN_ATTRS.has(k)) throw new UndefinedVariable(`attribute '${k}' is not allowed`);
  let v: unknown;
  if ((Array.isArray(obj) || typeof obj === 'string') && (typeof k === 'number' || /^-?\d+$/.test(k))) {
    const i = Number(k);
    v = obj[i < 0 ? obj.length + i : i];
  } else if (isMapping(obj) && Object.prototype.hasOwnProperty.call(obj, k)) {
    v = obj[k];
  } else {
    v = pyMethod(obj, String(k));
    if (v === undefined && !isMapping(obj)) {
      const member = (obj as Record<string, unknown>)[k];
      v = typeof member === 'function' ? (member as (...a: unknown[]) => unknown).bind(obj) : member;
    }
  }
  if (v === undefined && strict) throw new UndefinedVariable(`'${label}' is undefined`);
  return v;
}

/** The one printed expression of `{{ expr }}`, or undefined when the template is anything else. */
function singleExpression(root: NjNode): NjNode | undefined {
  const out = root.children;
  if (!out || out.length !== 1 || out[0]?.typename !== 'Output') return undefined;
  const parts = out[0].children ?? [];
  if (parts.length !== 1 || parts[0]?.typename === 'TemplateData') return undefined;
  return parts[0];
}
