/**
 * Where fleet itself is installed: the directory holding its package.json, found by walking up from
 * this file. The same walk works in a clone (src/ under vitest, dist/src/ compiled), in an npm
 * install (<prefix>/lib/node_modules/fleet) and in the Debian package (/usr/lib/fleet), so built-in
 * playbooks and templates never depend on the working directory or on how deep dist/ nests.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

let cached: string | null = null;

function isFleetPackage(dir: string): boolean {
  const file = path.join(dir, 'package.json');
  if (!existsSync(file)) return false;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === 'fleet';
  } catch {
    return false;
  }
}

/** fleet's own top-level directory (with package.json, playbooks/, templates/). */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = import.meta.dirname;
  for (;;) {
    if (isFleetPackage(dir)) return (cached = dir);
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`fleet's package.json not found above ${import.meta.dirname}`);
    dir = parent;
  }
}
