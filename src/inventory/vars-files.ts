/**
 * group_vars/ and host_vars/ next to an inventory source, found as Ansible's `host_group_vars` plugin
 * finds them: the first of `NAME`, `NAME.yml`, `NAME.yaml`, `NAME.json` that exists; if it is a
 * directory, every file in it (recursively, sorted, no hidden or `~` files, extension none/.yml/.yaml/.json)
 * merged in order. Directory listings and files are read once.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { InventoryError } from '../core/errors.js';
import type { Vars } from '../core/inventory.js';
import { parseVarsText } from './vars-text.js';

const EXTENSIONS = ['', '.yml', '.yaml', '.json'];

export type VarsSubdir = 'group_vars' | 'host_vars';

async function isDirectory(p: string): Promise<boolean | undefined> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return undefined;
  }
}

export class VarsFiles {
  private readonly listings = new Map<string, Promise<ReadonlySet<string> | undefined>>();
  private readonly files = new Map<string, Promise<Vars | undefined>>();
  readonly warnings: string[] = [];

  /** Merged vars for a group or host from `<baseDir>/<subdir>/`, or undefined when there are none. */
  async varsFor(baseDir: string, subdir: VarsSubdir, name: string): Promise<Vars | undefined> {
    // Names with a path separator (chroot-style hosts) are never looked up, as in Ansible.
    if (name.includes('/') || name === '.' || name === '..') return undefined;
    const dir = path.join(baseDir, subdir);
    const entries = await this.listing(dir, subdir);
    if (!entries) return undefined;
    for (const ext of EXTENSIONS) {
      if (!entries.has(name + ext)) continue;
      const full = path.join(dir, name + ext);
      const files = (await isDirectory(full)) ? await this.dirFiles(full) : [full];
      let merged: Vars | undefined;
      for (const f of files) {
        const v = await this.load(f);
        if (v) merged = { ...merged, ...v };
      }
      return merged;
    }
    return undefined;
  }

  /**
   * Names that may have vars files in `<baseDir>/<subdir>/` (a superset: each entry with and without
   * its extension), so callers skip the lookup for the thousands of hosts without any.
   */
  async candidateNames(baseDir: string, subdir: VarsSubdir): Promise<ReadonlySet<string>> {
    const entries = await this.listing(path.join(baseDir, subdir), subdir);
    const names = new Set<string>();
    for (const e of entries ?? []) {
      names.add(e);
      const ext = path.extname(e);
      if (EXTENSIONS.includes(ext)) names.add(e.slice(0, e.length - ext.length));
    }
    return names;
  }

  private listing(dir: string, subdir: VarsSubdir): Promise<ReadonlySet<string> | undefined> {
    let p = this.listings.get(dir);
    if (!p) {
      p = (async () => {
        const isDir = await isDirectory(dir);
        if (isDir === undefined) return undefined;
        if (!isDir) {
          this.warnings.push(`found ${subdir} that is not a directory, skipping: ${dir}`);
          return undefined;
        }
        return new Set(await readdir(dir));
      })();
      this.listings.set(dir, p);
    }
    return p;
  }

  private async dirFiles(dir: string): Promise<string[]> {
    const out: string[] = [];
    for (const name of (await readdir(dir)).sort()) {
      if (name.startsWith('.') || name.endsWith('~')) continue;
      const full = path.join(dir, name);
      const ext = path.extname(name);
      const isDir = await isDirectory(full);
      if (isDir && !ext) out.push(...(await this.dirFiles(full)));
      else if (isDir === false && EXTENSIONS.includes(ext)) out.push(full);
    }
    return out;
  }

  private load(file: string): Promise<Vars | undefined> {
    let p = this.files.get(file);
    if (!p) {
      p = readFile(file, 'utf8').then((text) => parseVarsText(text.replace(/^\uFEFF/, ''), file, (m, loc) => new InventoryError(m, loc)));
      this.files.set(file, p);
    }
    return p;
  }
}
