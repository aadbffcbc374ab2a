/**
 * The version and the git commit this copy of fleet was built from, for `fleet --version`. The commit
 * is written into build-info.json next to the compiled file at build time (packaging/build-info.js),
 * because an installed package has no .git to ask; without that file (running from src/, or a build
 * whose tree had no .git) the commit is "unknown" and the version comes from package.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from './package-root.js';

export interface BuildInfo {
  readonly version: string;
  readonly commit: string;
}

function readJson(file: string): Record<string, unknown> | null {
  if (!existsSync(file)) return null;
  try {
    const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

export function buildInfo(): BuildInfo {
  const generated = readJson(path.join(import.meta.dirname, 'build-info.json'));
  let pkg: Record<string, unknown> | null = null;
  try {
    pkg = readJson(path.join(packageRoot(), 'package.json'));
  } catch {
    // --version must never be the thing that fails: report what is known.
  }
  return {
    version: str(generated?.version) ?? str(pkg?.version) ?? 'unknown',
    commit: str(generated?.commit) ?? 'unknown',
  };
}

/** One line: `fleet 0.1.0 (commit 3dc599d1a2b4)`. */
export function versionLine(): string {
  const { version, commit } = buildInfo();
  return `fleet ${version} (commit ${commit})`;
}
