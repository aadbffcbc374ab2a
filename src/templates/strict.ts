/**
 * Jinja's StrictUndefined for nunjucks, done on the parsed template: nunjucks only notices an
 * undefined value when it is printed, so `{% if typo %}`, `not typo` or `typo == 'x'` would silently
 * be false. Every variable and attribute lookup is rewritten to go through a checking filter
 * (`__v` / `__a`), except where Jinja allows undefined: the left side of `is defined`/`is undefined`
 * and the first argument of `default`. Printed values go through `__out` (None prints as '').
 * This file only manipulates the node tree; render.ts hands it the nunjucks node classes.
 */

/** The subset of a nunjucks AST node we touch. */
export interface NjNode {
  typename: string;
  lineno: number;
  colno: number;
  fields: string[];
  value?: unknown;
  children?: NjNode[];
  [field: string]: unknown;
}

type NodeCtor = new (lineno: number, colno: number, ...fields: unknown[]) => NjNode;

/** The nunjucks node classes the rewrite creates. */
export interface NjNodeClasses {
  Filter: NodeCtor;
  Symbol: NodeCtor;
  Literal: NodeCtor;
  NodeList: NodeCtor;
}

/** Names of the helper filters the rewritten tree calls (registered by render.ts). */
export const HELPERS = {
  variable: '__fleet_v',
  attribute: '__fleet_a',
  output: '__fleet_out',
  capture: '__fleet_capture',
  add: '__fleet_add',
} as const;

/** Tests whose operand may be undefined. */
const GUARD_TESTS = new Set(['defined', 'undefined']);
/** Filters whose first argument may be undefined. */
const GUARD_FILTERS = new Set(['default', 'd', 'mandatory']);
const PY_CONSTANTS: Record<string, boolean | null> = { True: true, False: false, None: null };

/**
 * Nodes of which only some fields hold expressions, in the order they are rewritten; the others are
 * names (`{% set x %}`, `{% for k, v in … %}`, `{% block b %}`, an import's `as`) that must stay symbols,
 * or plain values. Any other node has all its fields rewritten.
 */
const fieldsOf = (types: readonly string[], fields: readonly string[]) => types.map((t) => [t, fields] as const);
const EXPRESSION_FIELDS = new Map<string, readonly string[]>([
  ...fieldsOf(['Set'], ['value', 'body']),
  ...fieldsOf(['For', 'AsyncEach', 'AsyncAll'], ['arr', 'body', 'else_']),
  ...fieldsOf(['Import', 'FromImport', 'Extends', 'Include'], ['template']),
  ...fieldsOf(['Block'], ['body']),
  ...fieldsOf(['Super', 'CallExtension', 'CallExtensionAsync', 'Literal', 'TemplateData'], []),
]);

function isNode(v: unknown): v is NjNode {
  return typeof v === 'object' && v !== null && typeof (v as NjNode).typename === 'string';
}

/** A readable name for a lookup chain, for error messages: `a.b[0]`. */
export function lookupName(node: NjNode): string {
  if (node.typename === 'Symbol') return String(node.value);
  if (node.typename === 'Literal') return JSON.stringify(node.value);
  if (node.typename === 'LookupVal') {
    const target = lookupName(node['target'] as NjNode);
    const val = node['val'] as NjNode;
    return val.typename === 'Literal' && typeof val.value === 'string' && /^[A-Za-z_]\w*$/.test(val.value)
      ? `${target}.${val.value}`
      : `${target}[${lookupName(val)}]`;
  }
  if (node.typename === 'FunCall') return `${lookupName(node['name'] as NjNode)}(…)`;
  return '(expression)';
}

export class StrictRewriter {
  constructor(private readonly n: NjNodeClasses) {}

  private call(helper: string, at: NjNode, args: unknown[]): NjNode {
    const { Filter, Symbol, Literal, NodeList } = this.n;
    const list = args.map((a) => (isNode(a) ? a : new Literal(at.lineno, at.colno, a)));
    return new Filter(at.lineno, at.colno, new Symbol(at.lineno, at.colno, helper), new NodeList(at.lineno, at.colno, list));
  }

  /** Rewrites a whole template (a Root node) in place and returns it. */
  root(node: NjNode): NjNode {
    return this.rw(node, false);
  }

  /** Rewrites one expression node; `guarded` means undefined is allowed here. */
  expr(node: NjNode, guarded = false): NjNode {
    return this.rw(node, guarded);
  }

  private list(nodes: NjNode[] | undefined, fn: (c: NjNode) => NjNode): void {
    if (!nodes) return;
    for (let i = 0; i < nodes.length; i++) nodes[i] = fn(nodes[i] as NjNode);
  }

  private field(node: NjNode, name: string, guarded = false): void {
    const v = node[name];
    if (isNode(v)) node[name] = this.rw(v, guarded);
    else if (Array.isArray(v)) this.list(v as NjNode[], (c) => (isNode(c) ? this.rw(c, guarded) : c));
  }

  private rw(node: NjNode, guarded: boolean): NjNode {
    switch (node.typename) {
      case 'Symbol': {
        const name = String(node.value);
        if (name in PY_CONSTANTS) return new this.n.Literal(node.lineno, node.colno, PY_CONSTANTS[name]);
        return this.call(HELPERS.variable, node, [node, name, !guarded, node.lineno + 1]);
      }
      case 'LookupVal': {
        const label = lookupName(node);
        const target = this.rw(node['target'] as NjNode, guarded);
        const val = this.rw(node['val'] as NjNode, false);
        return this.call(HELPERS.attribute, node, [target, val, !guarded, label, node.lineno + 1]);
      }
      case 'Group':
        this.list(node.children, (c) => this.rw(c, guarded));
        return node;
      case 'Add':
        // Jinja's `+` also concatenates lists (`acc + [item]`); JavaScript's would make a string.
        return this.call(HELPERS.add, node, [this.rw(node['left'] as NjNode, false), this.rw(node['right'] as NjNode, false)]);
      case 'Is': {
        const right = node['right'] as NjNode;
        const testName = String(right.typename === 'FunCall' ? (right['name'] as NjNode).value : right.value);
        node['left'] = this.rw(node['left'] as NjNode, GUARD_TESTS.has(testName));
        if (right.typename === 'FunCall') this.field(right, 'args');
        return node;
      }
      case 'Filter':
      case 'FilterAsync': {
        const name = String((node['name'] as NjNode).value);
        const args = (node['args'] as NjNode).children ?? [];
        this.list(args, (c) => (c === args[0] && GUARD_FILTERS.has(name) ? this.rw(c, true) : this.rw(c, false)));
        return node;
      }
      case 'Pair':
        if ((node['key'] as NjNode).typename !== 'Symbol') this.field(node, 'key');
        this.field(node, 'value');
        return node;
      case 'Macro':
      case 'Caller': {
        // Plain parameter names stay symbols; default values (KeywordArgs) are expressions.
        this.list((node['args'] as NjNode).children, (c) => (c.typename === 'Symbol' ? c : this.rw(c, false)));
        this.field(node, 'body');
        return node;
      }
      case 'Output':
        this.list(node.children, (c) =>
          c.typename === 'TemplateData' ? c : this.call(HELPERS.output, c, [this.rw(c, false), c.lineno + 1]),
        );
        return node;
      default:
        for (const f of EXPRESSION_FIELDS.get(node.typename) ?? node.fields) this.field(node, f);
        return node;
    }
  }
}
