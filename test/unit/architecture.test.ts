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

/** Which src/ directories may import each outside package. */
const OWNERS: Record<string, RegExp> = {
  ssh2: /^transport\//,
  sqlite3: /^store\/sqlite/,
  nunjucks: /^(templates|report)\//,
  yargs: /^cli\//,
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
