/** Loading a playbook: read, parse (with lines), validate everything that needs no host. */
import path from 'node:path';
import { PlaybookError, type SourceLocation } from '../core/errors.js';
import type { Vars } from '../core/inventory.js';
import { TemplateEngine } from '../templates/render.js';
import { isMapping } from '../templates/truth.js';
import { PlaybookParser, varsFilePath } from './parse.js';
import type { Playbook } from './types.js';
import { validatePlaybook, type ValidateOptions } from './validate.js';
import { YamlSource } from './yaml-source.js';

export type LoadOptions = ValidateOptions;

async function loadVarsFile(dir: string, file: string, at: SourceLocation): Promise<{ vars: Vars; locs: Record<string, SourceLocation> }> {
  if (file.includes('{{')) throw new PlaybookError('templated vars_files names are not supported', at);
  const full = varsFilePath(dir, file);
  let src: YamlSource;
  try {
    src = await YamlSource.load(full, 'vars file');
  } catch (err) {
    // A missing file is reported where it is named; a broken one where it is broken.
    if (err instanceof PlaybookError && err.location?.line === undefined)
      throw new PlaybookError(`vars_files: ${file}: ${err.message.replace(/^[^:]*: /, '')}`, at);
    throw err;
  }
  if (src.value === null) return { vars: {}, locs: {} };
  const vars = src.value;
  if (!isMapping(vars)) throw new PlaybookError('a vars file must be a mapping of variable names to values', src.loc(vars));
  return { vars, locs: Object.fromEntries(Object.keys(vars).map((k) => [k, src.keyLoc(vars, k)])) };
}

/** Parses a playbook from its YAML text (`file` names it in errors and anchors relative paths) and validates it. */
export async function parsePlaybook(file: string, text: string, opts: LoadOptions): Promise<Playbook> {
  return build(new YamlSource(file, text), opts);
}

/**
 * Loads and validates a playbook. Every problem is a PlaybookError naming file:line, thrown before
 * anything connects: bad YAML, unknown module/keyword, a typo'd check id, a template or expression
 * that does not compile, a bad host pattern.
 */
export async function loadPlaybook(file: string, opts: LoadOptions): Promise<Playbook> {
  return build(await YamlSource.load(file, 'playbook'), opts);
}

async function build(src: YamlSource, opts: LoadOptions): Promise<Playbook> {
  const dir = path.resolve(path.dirname(src.file));
  const plays = await new PlaybookParser(src, (f, at) => loadVarsFile(dir, f, at)).plays();
  const engine = new TemplateEngine({ searchPaths: [path.join(dir, 'templates'), dir] });
  const pb: Playbook = { file: src.file, dir, plays, fixByDefault: plays[0]?.fix ?? false, engine };
  validatePlaybook(pb, opts);
  return pb;
}
