/**
 * Turning `-i` values into parsed sources, the way Ansible picks a plugin for each: a comma list of
 * hosts, a directory (every file in it, sorted, recursively, minus ignored names), a script (`#!`),
 * YAML (`.yml`/`.yaml`/`.json`, or no extension and YAML-shaped), otherwise INI.
 */
import { access, constants, readFile, readdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { InventoryError } from '../core/errors.js';
import { looksLikeHostList, parseHostList } from './host-list.js';
import { parseIni } from './ini.js';
import type { ParsedSource } from './ops.js';
import { parseScriptInventory } from './script.js';
import { parseYamlInventory } from './yaml-inventory.js';

/**
 * Names Ansible skips inside an inventory directory: hidden files, group_vars/host_vars/vars_plugins,
 * and the default INVENTORY_IGNORE_EXTS (which include `.ini`!).
 */
const IGNORED =
  /^\.|^host_vars$|^group_vars$|^vars_plugins$|(?:\.pyc|\.pyo|\.swp|\.bak|~|\.rpm|\.md|\.txt|\.rst|\.orig|\.ini|\.cfg|\.retry)$/;
const YAML_EXTS = new Set(['.yml', '.yaml', '.json']);

export interface SourceContext {
  readonly cwd: string;
  readonly scriptTimeoutMs?: number;
  /** Groups known so far (an INI `[x:children]` may name a group from an earlier source). */
  knownGroups(): ReadonlySet<string>;
  /** Called for each parsed file, script or host list, in Ansible's order. */
  accept(source: ParsedSource): void;
  warn(message: string): void;
}

/** What an -i value is, once resolved. */
export type ResolvedSource =
  { readonly kind: 'hosts'; readonly value: string } | { readonly kind: 'path'; readonly path: string; readonly isDir: boolean };

async function statOrUndefined(p: string) {
  try {
    return await stat(p);
  } catch {
    return undefined;
  }
}

/** Resolves an -i value against cwd (with `~`); a missing path is an error. */
export async function resolveSource(value: string, cwd: string): Promise<ResolvedSource> {
  const expanded = value === '~' || value.startsWith('~/') ? path.join(os.homedir(), value.slice(1)) : value;
  const abs = path.resolve(cwd, expanded);
  const st = await statOrUndefined(abs);
  if (looksLikeHostList(value, st !== undefined)) return { kind: 'hosts', value };
  if (!st) {
    throw new InventoryError(
      `inventory source not found: ${value}${value.includes(',') ? '' : ` (for a single host, add a comma: -i ${value},)`}`,
    );
  }
  return { kind: 'path', path: abs, isDir: st.isDirectory() };
}

/** Parses one resolved -i value, handing each parsed piece to ctx.accept in order. */
export async function readSource(src: ResolvedSource, ctx: SourceContext): Promise<void> {
  if (src.kind === 'hosts') ctx.accept({ file: undefined, ops: parseHostList(src.value), warnings: [] });
  else if (src.isDir) await readDirectory(src.path, ctx);
  else await readFileSource(src.path, ctx);
}

async function readDirectory(dir: string, ctx: SourceContext): Promise<void> {
  for (const name of (await readdir(dir)).sort()) {
    const full = path.join(dir, name);
    if (IGNORED.test(name)) {
      if (name.endsWith('.ini'))
        ctx.warn(`skipped ${display(full, ctx.cwd)}: like Ansible, files ending in .ini inside an inventory directory are ignored`);
      continue;
    }
    const st = await statOrUndefined(full);
    if (st?.isDirectory()) await readDirectory(full, ctx);
    else if (st) await readFileSource(full, ctx);
  }
}

/** A path for messages: relative to cwd when inside it. */
function display(abs: string, cwd: string): string {
  const rel = path.relative(cwd, abs);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
}

async function readFileSource(file: string, ctx: SourceContext): Promise<void> {
  const shown = display(file, ctx.cwd);
  const buf = await readFile(file);
  if (buf.subarray(0, 2).toString('latin1') === '#!') {
    try {
      await access(file, constants.X_OK);
    } catch {
      throw new InventoryError(`inventory script is not executable (chmod +x ${shown})`, { file: shown });
    }
    ctx.accept({ file, ops: await parseScriptInventory(file, ctx.cwd, ctx.scriptTimeoutMs), warnings: [] });
    return;
  }
  const ext = path.extname(file);
  if (ext === '.toml') throw new InventoryError('TOML inventories are not supported: use INI or YAML', { file: shown });
  // A byte-order mark (some Windows editors add one) would otherwise end up in the first name.
  const text = buf.toString('utf8').replace(/^\uFEFF/, '');
  if (YAML_EXTS.has(ext) || ext === '') {
    const y = parseYamlInventory(text, shown);
    if (y.kind === 'ok') {
      ctx.accept({ file, ops: y.ops, warnings: y.warnings });
      return;
    }
    // Ansible then tries the INI parser; report the YAML problem for a YAML-named file.
    try {
      ctx.accept({ file, ops: parseIni(text, shown, ctx.knownGroups()), warnings: [] });
    } catch (e) {
      throw ext === '' ? e : y.error;
    }
    return;
  }
  ctx.accept({ file, ops: parseIni(text, shown, ctx.knownGroups()), warnings: [] });
}
