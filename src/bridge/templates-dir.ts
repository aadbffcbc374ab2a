import { existsSync } from 'node:fs';
import path from 'node:path';

let cached: string | null = null;

/**
 * The project's top-level templates/ folder. Found by walking up from this file, so it works from
 * src/bridge (vitest, tsx) and from dist/src/bridge (compiled) alike.
 */
export function templatesDir(): string {
  if (cached) return cached;
  let dir = import.meta.dirname;
  for (;;) {
    const candidate = path.join(dir, 'templates', 'bridge');
    if (existsSync(candidate)) return (cached = path.join(dir, 'templates'));
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`templates/bridge not found above ${import.meta.dirname}`);
    dir = parent;
  }
}
