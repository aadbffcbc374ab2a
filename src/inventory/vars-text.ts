/**
 * A vars file (group_vars/, host_vars/, `-e @file`) read as Ansible's DataLoader does: JSON first,
 * else YAML 1.1; it must hold a mapping. Vault-encrypted content is refused with a clear message.
 */
import type { Vars } from '../core/inventory.js';
import { MAX_NESTING, tooDeepKey } from './nesting.js';
import { toPlain, typeName } from './plain.js';
import { loadYaml, type ErrorFactory } from './yaml-load.js';

/** The vars in `text`, or undefined for an empty file (which Ansible ignores). */
export function parseVarsText(text: string, file: string, makeError: ErrorFactory): Vars | undefined {
  if (text.startsWith('$ANSIBLE_VAULT')) throw makeError('ansible-vault encrypted files are not supported', { file, line: 1 });
  let data: unknown;
  let parsedAsJson = false;
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      data = JSON.parse(text);
      parsedAsJson = true;
    } catch {
      // Not JSON: YAML below (flow-style YAML looks like JSON).
    }
  }
  if (!parsedAsJson) data = loadYaml(text, file, makeError).data;
  // Ansible skips falsy data (empty file, `{}`, `~`) without complaint.
  if (data === null || data === undefined || data === false || data === 0 || data === '' || (data instanceof Map && data.size === 0))
    return undefined;
  // Before toPlain, which recurses: JSON has no depth limit of its own.
  const deep = tooDeepKey(data);
  if (deep !== undefined) throw makeError(`value of '${String(deep)}' is nested more than ${MAX_NESTING} levels deep`, { file });
  const plain = toPlain(data);
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
    throw makeError(`expected a mapping of variables, got ${typeName(data)}`, { file, line: 1 });
  }
  return plain as Vars;
}
