/**
 * Schedule YAML goes through the playbook loader (YamlSource: file:line for every key, YAML 1.1 like
 * Ansible). YamlSource expands aliases itself and has no limit on how far they multiply, so a
 * "billion laughs" file would exhaust memory: a schedule file is first expanded by the yaml package
 * with maxAliasCount, which refuses that cheaply. Schedule files are a few KB; parsing twice is free.
 */
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { PlaybookError, formatLocation } from '../core/errors.js';
import { YamlSource } from '../playbook/yaml-source.js';
import { ScheduleError } from './errors.js';

export const MAX_ALIAS_COUNT = 100;

/** Reads `file`; every problem is a ScheduleError naming file (and line when there is one). */
export async function loadScheduleYaml(file: string): Promise<YamlSource> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ScheduleError(code === 'ENOENT' ? 'schedule file not found' : `cannot read schedule file: ${(err as Error).message}`, {
      file,
    });
  }
  return parseScheduleYaml(file, text);
}

export function parseScheduleYaml(file: string, text: string): YamlSource {
  // Before YamlSource, which would expand the aliases without a limit. A file with syntax errors
  // is left to YamlSource, which names the line.
  const doc = parseDocument(text, { version: '1.1', merge: true });
  if (doc.errors.length === 0) {
    try {
      doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      if (err instanceof ReferenceError)
        throw new ScheduleError(`YAML aliases expand too far (more than ${MAX_ALIAS_COUNT} nodes): refused`, { file });
      throw err;
    }
  }
  try {
    return new YamlSource(file, text);
  } catch (err) {
    if (err instanceof PlaybookError) {
      const prefix = err.location ? `${formatLocation(err.location)}: ` : '';
      throw new ScheduleError(err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message, err.location);
    }
    throw err;
  }
}
