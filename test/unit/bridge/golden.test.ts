/**
 * Golden files: every (stack, case) is rendered and compared byte-for-byte with
 * test/fixtures/bridge/golden/<stack>/<case>/. Regenerate on purpose with
 *   UPDATE_GOLDEN=1 npx vitest run test/unit/bridge/golden.test.ts
 * and review the diff before committing.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderBridgeConfig, validateBridgeParams } from '../../../src/bridge/index.js';
import type { BridgeConfig } from '../../../src/bridge/types.js';
import { casePairs } from '../../fixtures/bridge/cases.js';

const GOLDEN = path.resolve(import.meta.dirname, '../../fixtures/bridge/golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** Golden files for one rendered config: each file by basename, plus apply.json (paths, modes, commands). */
function goldenFiles(cfg: BridgeConfig): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of cfg.files) out.set(path.posix.basename(f.path), f.content);
  const apply = {
    files: cfg.files.map((f) => ({ path: f.path, mode: `0${f.mode.toString(8)}` })),
    preWrite: cfg.preWrite,
    reload: cfg.reload,
  };
  out.set('apply.json', `${JSON.stringify(apply, null, 2)}\n`);
  return out;
}

function listTree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? listTree(p) : [path.relative(GOLDEN, p)];
  });
}

const pairs = casePairs();
const expected = new Map<string, string>();
for (const { stack, c } of pairs) {
  const cfg = renderBridgeConfig(stack, validateBridgeParams(c.vars, 'hv1'));
  for (const [name, content] of goldenFiles(cfg)) expected.set(path.join(stack, c.name, name), content);
}

if (UPDATE) {
  for (const rel of listTree(GOLDEN)) if (!expected.has(rel)) rmSync(path.join(GOLDEN, rel));
  for (const [rel, content] of expected) {
    mkdirSync(path.dirname(path.join(GOLDEN, rel)), { recursive: true });
    writeFileSync(path.join(GOLDEN, rel), content);
  }
}

describe('bridge golden files', () => {
  it.each([...expected.keys()])('%s matches its golden file', (rel) => {
    const file = path.join(GOLDEN, rel);
    expect(existsSync(file), `missing golden ${rel}: run with UPDATE_GOLDEN=1 and review`).toBe(true);
    expect(expected.get(rel)).toBe(readFileSync(file, 'utf8'));
  });

  it('has no stale golden files (every file on disk is still produced by a case)', () => {
    const stale = listTree(GOLDEN).filter((rel) => !expected.has(rel));
    expect(stale, 'stale goldens: run with UPDATE_GOLDEN=1 to remove them').toEqual([]);
  });

  it('covers every stack with several parameter sets', () => {
    const perStack = new Map<string, number>();
    for (const { stack } of pairs) perStack.set(stack, (perStack.get(stack) ?? 0) + 1);
    expect([...perStack.keys()].sort()).toEqual([
      'ifupdown',
      'ifupdown-interfaces-d',
      'ifupdown2',
      'libvirt',
      'netplan',
      'networkd',
      'networkmanager',
    ]);
    for (const n of perStack.values()) expect(n).toBeGreaterThanOrEqual(8);
  });
});
