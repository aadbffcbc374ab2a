/**
 * Checks a parsed YAML document before it becomes values. An alias inside its own anchor makes a
 * cyclic structure that every later walk would follow forever; a few nested aliases can stand for
 * billions of values ("billion laughs": 431 bytes once took 50 s and 628 MB to load as a playbook);
 * and very deep nesting overflows the stack of whatever walks the values next. Each is refused with
 * the line where it shows. Shared by every YAML fleet reads (inventories, vars files, -e, playbooks),
 * and linear in the document's size: each anchored node is measured once, however often it is used.
 */
import { MAX_NESTING } from './nesting.js';
import { isAlias, isMap, isNode, isPair, isScalar, isSeq, type Alias, type Document, type Node } from 'yaml';

/** Values that aliases may expand a document to: at least this many… */
const MIN_EXPANDED = 100_000;
/** …or this many times the values written out in it (a big inventory with ordinary anchors). */
const EXPANSION_FACTOR = 10;

export interface YamlProblem {
  readonly message: string;
  /** Offset in the text of the node where the problem shows. */
  readonly offset: number | undefined;
}

interface Measure {
  readonly size: number;
  readonly height: number;
}

class Refused {
  constructor(readonly problem: YamlProblem) {}
}

const offsetOf = (node: unknown): number | undefined => (node as { range?: readonly number[] | null } | null)?.range?.[0] ?? undefined;

/**
 * What each alias stands for, in one pass: the latest anchor of that name before it, as YAML says.
 * (`alias.resolve(doc)` searches the whole document for every alias: 1,000 aliases took 26 s.)
 */
export function aliasTargets(doc: Document): Map<Alias, Node> {
  const anchors = new Map<string, Node>();
  const targets = new Map<Alias, Node>();
  // Iterative, in document order (a key before its value), so depth cannot overflow the stack here.
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (target) targets.set(node, target);
      continue;
    }
    if (!isNode(node)) continue;
    if (node.anchor) anchors.set(node.anchor, node);
    if (isMap(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) {
        const pair = node.items[i];
        if (isPair(pair)) stack.push(pair.value, pair.key);
      }
    } else if (isSeq(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) stack.push(node.items[i]);
    }
  }
  return targets;
}

/** Nodes written out in the document (aliases count once, where they are written). */
function countNodes(doc: Document): number {
  let n = 0;
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (!isNode(node)) continue;
    n++;
    if (isMap(node)) for (const pair of node.items) if (isPair(pair)) stack.push(pair.key, pair.value);
    if (isSeq(node)) for (const item of node.items) stack.push(item);
  }
  return n;
}

/** The first problem found in `doc`, or undefined when it is safe to convert. */
export function yamlProblem(doc: Document, targets: ReadonlyMap<Alias, Node> = aliasTargets(doc)): YamlProblem | undefined {
  // Without aliases a document is exactly as big as its text: only its depth can be a problem.
  let budget = Infinity;
  if (targets.size > 0) budget = Math.max(MIN_EXPANDED, EXPANSION_FACTOR * countNodes(doc));
  const measured = new Map<Node, Measure>();
  const open = new Set<Node>();

  const refuse = (message: string, node: unknown): never => {
    throw new Refused({ message, offset: offsetOf(node) });
  };

  const measure = (node: Node | null | undefined, depth: number): Measure => {
    if (node === null || node === undefined || isScalar(node)) return { size: 1, height: 0 };
    if (isAlias(node)) {
      const target = targets.get(node);
      if (!target) return { size: 1, height: 0 };
      if (open.has(target)) refuse(`YAML alias '*${node.source}' is used inside its own anchor '&${node.source}' (a loop)`, node);
      const m = measured.get(target) ?? measure(target, depth);
      if (depth + m.height > MAX_NESTING)
        refuse(`YAML nested more than ${MAX_NESTING} levels deep (through alias '*${node.source}')`, node);
      return m;
    }
    if (depth >= MAX_NESTING) refuse(`YAML nested more than ${MAX_NESTING} levels deep`, node);
    const children: (Node | null)[] = [];
    if (isMap(node)) for (const pair of node.items) if (isPair(pair)) children.push(pair.key as Node | null, pair.value as Node | null);
    if (isSeq(node)) for (const item of node.items) children.push(item as Node | null);
    open.add(node);
    let size = 1;
    let height = 0;
    for (const child of children) {
      const m = measure(child, depth + 1);
      size += m.size;
      height = Math.max(height, m.height + 1);
      if (size > budget)
        refuse(`YAML aliases expand to more than ${budget.toLocaleString('en-US')} values (an alias bomb?)`, isAlias(child) ? child : node);
    }
    open.delete(node);
    const m = { size, height };
    // Only an anchored node can be reached twice; remembering the others would only cost memory.
    if (node.anchor) measured.set(node, m);
    return m;
  };

  try {
    measure(doc.contents as Node | null, 0);
    return undefined;
  } catch (e) {
    if (e instanceof Refused) return e.problem;
    throw e;
  }
}
