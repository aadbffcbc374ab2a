/**
 * Keeps the architecture visible: pure core, one module per outside system, no import cycles.
 * Fails with the offending file and import, so a new dependency is a conscious choice.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../../src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const all = files(SRC);
const rel = (f: string) => path.relative(SRC, f);
const importsOf = (f: string) =>
  [
    ...readFileSync(f, 'utf8').matchAll(
      /^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm,
    ),
  ].map((m) => m[1] ?? m[2] ?? m[3] ?? '');

/**
 * The layer order, lowest first (README "Architecture"). A folder may import its own files and the
 * folders of LOWER layers only, so results and dependencies flow one way and no folder-level cycle
 * can form. Folders in one layer do not import each other.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['core'],
  // Where fleet is installed (its package root) and its build info: node:fs only.
  ['install'],
  ['facts', 'templates', 'transport', 'inventory', 'queue'],
  ['checks', 'bridge', 'engine'],
  ['modules', 'store', 'output'],
  ['remediation', 'report'],
  ['playbook'],
  ['schedule'],
  ['notify'],
  ['daemon'],
  ['cli'],
];
const LAYER_OF = new Map(LAYERS.flatMap((names, i) => names.map((n) => [n, i] as const)));

/** src/ folder of a file (or of an import resolved from it). */
const folderOf = (file: string) => rel(file).split('/')[0] ?? '';

/** Folder-level import edges: "from -> to" with the files that make them. */
function folderEdges(): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const f of all) {
    for (const i of importsOf(f).filter((i) => i.startsWith('.'))) {
      const from = folderOf(f);
      const to = folderOf(path.resolve(path.dirname(f), i));
      if (from === to) continue;
      const key = `${from} -> ${to}`;
      edges.set(key, [...(edges.get(key) ?? []), rel(f)]);
    }
  }
  return edges;
}

/** Finds cycles in a graph given as "a -> b" edges. */
function cyclesOf(edges: Iterable<string>): string[] {
  const graph = new Map<string, string[]>();
  for (const e of edges) {
    const [a = '', b = ''] = e.split(' -> ');
    graph.set(a, [...(graph.get(a) ?? []), b]);
  }
  const cycles: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (n: string, stack: string[]) => {
    if (state.get(n) === 'done') return;
    if (state.get(n) === 'visiting') {
      cycles.push([...stack.slice(stack.indexOf(n)), n].join(' -> '));
      return;
    }
    state.set(n, 'visiting');
    for (const d of graph.get(n) ?? []) visit(d, [...stack, n]);
    state.set(n, 'done');
  };
  for (const n of graph.keys()) visit(n, []);
  return cycles;
}

/** Store writes: only the recorder (the store's observer of a run) may call them outside store/. */
const STORE_WRITE = /\.(startRun|recordHost|recordHostGroups|recordStep|recordFacts|recordCheck|recordFleetCheck|finishRun)\(/;

/** Which src/ directories may import each outside package. */
const OWNERS: Record<string, RegExp> = {
  ssh2: /^transport\//,
  sqlite3: /^store\/sqlite/,
  pg: /^store\/postgres/,
  'pg-boss': /^queue\/shard-queue\.ts$/,
  nunjucks: /^(templates|report)\//,
  yargs: /^cli\//,
  croner: /^schedule\/cron\.ts$/,
};

describe('architecture', () => {
  it('has source files to check', () => {
    expect(all.length).toBeGreaterThan(10);
  });

  it('core/ imports nothing outside core/ and no packages', () => {
    const bad = all
      .filter((f) => rel(f).startsWith('core/'))
      .flatMap((f) =>
        importsOf(f)
          .filter((i) => !i.startsWith('./') && !i.startsWith('node:'))
          .map((i) => `${rel(f)} imports ${i}`),
      );
    expect(bad).toEqual([]);
  });

  it('each outside system is imported by its one module only', () => {
    const bad: string[] = [];
    for (const f of all) {
      for (const i of importsOf(f)) {
        const pkg = i.split('/')[0] ?? i;
        const owner = OWNERS[pkg];
        if (owner && !owner.test(rel(f))) bad.push(`${rel(f)} imports ${i}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('every src/ folder has a layer', () => {
    const folders = [...new Set(all.map(folderOf))].filter((f) => !f.endsWith('.ts'));
    expect(folders.filter((f) => !LAYER_OF.has(f))).toEqual([]);
  });

  it('has no folder-level import cycles', () => {
    expect(cyclesOf(folderEdges().keys())).toEqual([]);
  });

  it('the cycle finder sees a folder-level cycle (the check above can fail)', () => {
    expect(cyclesOf(['modules -> remediation', 'remediation -> modules', 'cli -> core'])).toEqual(['modules -> remediation -> modules']);
  });

  it('folders import only lower layers', () => {
    const bad = [...folderEdges()]
      .filter(([edge]) => {
        const [from = '', to = ''] = edge.split(' -> ');
        return (LAYER_OF.get(to) ?? Infinity) >= (LAYER_OF.get(from) ?? -1);
      })
      .map(([edge, files]) => `${edge} (${files.join(', ')})`);
    expect(bad).toEqual([]);
  });

  it('only cli/session.ts and engine/ reach transport/', () => {
    const bad = all
      .filter((f) => !/^(transport|engine)\//.test(rel(f)) && rel(f) !== 'cli/session.ts')
      .flatMap((f) =>
        importsOf(f)
          .filter((i) => i.startsWith('.') && folderOf(path.resolve(path.dirname(f), i)) === 'transport')
          .map((i) => `${rel(f)} imports ${i}`),
      );
    expect(bad).toEqual([]);
  });

  it('results reach the store only through its recorder (one route for results)', () => {
    const bad = all
      .filter((f) => !rel(f).startsWith('store/'))
      .flatMap((f) =>
        readFileSync(f, 'utf8')
          .split('\n')
          .map((line, n) => [line, n + 1] as const)
          .filter(([line]) => STORE_WRITE.test(line))
          .map(([line, n]) => `${rel(f)}:${n}: ${line.trim()}`),
      );
    expect(bad).toEqual([]);
    // The pattern is live: it matches the call a shortcut would make.
    expect(STORE_WRITE.test('store.recordStep(runId, host, step);')).toBe(true);
  });

  it('has no import cycles', () => {
    const graph = new Map<string, string[]>();
    for (const f of all) {
      const deps = importsOf(f)
        .filter((i) => i.startsWith('.'))
        .map((i) => path.resolve(path.dirname(f), i).replace(/\.js$/, '.ts'));
      graph.set(f, deps);
    }
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (f: string, stack: string[]) => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'visiting') {
        cycles.push([...stack.slice(stack.indexOf(f)), f].map(rel).join(' -> '));
        return;
      }
      state.set(f, 'visiting');
      for (const d of graph.get(f) ?? []) visit(d, [...stack, f]);
      state.set(f, 'done');
    };
    for (const f of graph.keys()) visit(f, []);
    expect(cycles).toEqual([]);
  });
});
