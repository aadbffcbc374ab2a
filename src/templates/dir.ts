import { existsSync } from 'node:fs';
import path from 'node:path';

let cached: string | null = null;

/**
 * The project's top-level templates/ folder (bridge configs, the report page's script and style).
 * Found by walking up from this file, so it works from src/templates (vitest), from
 * dist/src/templates (compiled) and from an installed package alike.
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
