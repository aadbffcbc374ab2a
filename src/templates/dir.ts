import path from 'node:path';
import { packageRoot } from '../install/package-root.js';

/**
 * The project's top-level templates/ folder (bridge configs, the report page's script and style),
 * wherever fleet is installed: a clone, an npm prefix or /usr/lib/fleet.
 */
export function templatesDir(): string {
  return path.join(packageRoot(), 'templates');
}
