/** Shared helpers for the store integration tests: temp dirs, sample records, compiling a child script. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StepResult } from '../../../src/core/result.js';
import type { NewRun } from '../../../src/store/types.js';

/** The checkout root: nearest directory with package.json (also right when run from a dist/ build). */
export const REPO = ((): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();

/** A fresh temp directory; call the returned cleanup in afterAll/finally. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-store-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function newRun(over: Partial<NewRun> = {}): NewRun {
  return {
    playbook: 'health-check',
    inventorySources: ['inventory/hosts.yml'],
    limit: null,
    options: { forks: 20, check: false },
    controller: 'ctl.test',
    pid: 424242,
    user: 'ops',
    startedAt: 1_700_000_000_000,
    ...over,
  };
}

export function step(i: number, over: Partial<StepResult> = {}): StepResult {
  return {
    stepId: `1.${i}`,
    name: `task ${i}`,
    status: 'ok',
    changed: false,
    rc: 0,
    stdout: `output ${i}\n`,
    stderr: '',
    startedAt: 1_700_000_000_000 + i,
    durationMs: 7,
    ...over,
  };
}

/**
 * Compiles `entry` (and what it imports) with the project's tsc into a temp dir that node can run,
 * for tests that need a real child process running store code (vitest's transform is not available
 * there). Returns the path of the compiled entry and a cleanup.
 */
export function compileForNode(entry: string): { js: string; cleanup: () => void } {
  const { dir, cleanup } = tempDir();
  try {
    compileInto(dir, entry);
  } catch (err) {
    cleanup();
    throw err;
  }
  return { js: join(dir, entry.replace(/\.ts$/, '.js')), cleanup };
}

function compileInto(dir: string, entry: string): void {
  execFileSync(
    process.execPath,
    [
      join(REPO, 'node_modules/typescript/bin/tsc'),
      '--outDir',
      dir,
      '--rootDir',
      REPO,
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
      '--strict',
      '--skipLibCheck',
      '--types',
      'node',
      join(REPO, entry),
    ],
    { stdio: 'pipe', timeout: 60_000 },
  );
  // The compiled files live outside the repo: give them the repo's node_modules (sqlite3).
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
}
