/**
 * Executable inventory scripts, as Ansible's `script` plugin runs them: `SCRIPT --list` prints JSON
 * groups (`{"g": ["h1"]}` or `{"g": {"hosts": [...], "vars": {...}, "children": [...]}}`) and
 * `_meta.hostvars`; without `_meta.hostvars`, `SCRIPT --host NAME` is asked for each host.
 */
import { InventoryError, type SourceLocation } from '../core/errors.js';
import { MAX_NESTING, nestedTooDeep } from './nesting.js';
import type { InventoryOp } from './ops.js';
import { runScript, type ScriptRun } from './script-process.js';
import { typeName } from './plain.js';

/** A script that takes longer than this is stuck (Ansible waits forever); it and its children are killed. */
const SCRIPT_TIMEOUT_MS = 120_000;
/** Parallel `--host` calls when the script has no _meta. */
const HOST_CALLS_AT_ONCE = 8;

/** First bit of a process's stderr, on one line, for an error message. */
function excerpt(text: string, max = 200): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max)}…` : one;
}

async function runJson(script: string, args: string[], cwd: string, timeoutMs: number): Promise<unknown> {
  const what = `inventory script ${args.join(' ')}`;
  const loc: SourceLocation = { file: script };
  let r: ScriptRun;
  try {
    r = await runScript(script, args, cwd, timeoutMs);
  } catch (e) {
    throw new InventoryError(`${what} could not be run: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, loc);
  }
  const stderr = r.stderr.trim() ? `: ${excerpt(r.stderr)}` : '';
  if (r.timedOut) throw new InventoryError(`${what} did not finish within ${timeoutMs / 1000}s`, loc);
  if (r.code !== 0)
    throw new InventoryError(`${what} failed (${r.code === null ? `signal ${r.signal}` : `exit code ${r.code}`})${stderr}`, loc);
  if (args[0] === '--host' && r.stdout.trim() === '') return {};
  let data: unknown;
  try {
    data = JSON.parse(r.stdout);
  } catch (e) {
    throw new InventoryError(`${what} printed invalid JSON (${excerpt((e as Error).message, 120)})${stderr}`, loc);
  }
  // Groups and _meta.hostvars sit up to 3 levels above a variable's value.
  if (nestedTooDeep(data, MAX_NESTING + 3))
    throw new InventoryError(`${what} printed JSON nested more than ${MAX_NESTING} levels deep`, loc);
  return data;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Runs the script and returns its inventory steps. */
export async function parseScriptInventory(script: string, cwd: string, timeoutMs = SCRIPT_TIMEOUT_MS): Promise<InventoryOp[]> {
  const loc: SourceLocation = { file: script };
  const data = await runJson(script, ['--list'], cwd, timeoutMs);
  if (!isObject(data)) throw new InventoryError(`inventory script --list must print a JSON object, got ${typeName(data)}`, loc);

  const ops: InventoryOp[] = [];
  const hosts = new Set<string>();
  let hostvars: unknown;
  for (const [group, groupData] of Object.entries(data)) {
    if (group === '_meta') {
      if (isObject(groupData) && 'hostvars' in groupData) hostvars = groupData.hostvars;
      continue;
    }
    addGroup(ops, hosts, group, groupData, loc);
  }

  if (hostvars !== undefined && !isObject(hostvars))
    throw new InventoryError(`_meta.hostvars must be an object, got ${typeName(hostvars)}`, loc);
  const names = [...hosts];
  const varsOf: unknown[] =
    hostvars !== undefined ? names.map((h) => (h in hostvars ? hostvars[h] : {})) : await hostCalls(script, names, cwd, timeoutMs);
  names.forEach((host, i) => {
    const vars = varsOf[i];
    if (!isObject(vars)) throw new InventoryError(`vars of host '${host}' must be a JSON object, got ${typeName(vars)}`, loc);
    for (const [key, value] of Object.entries(vars)) ops.push({ op: 'hostVar', host, key, value, loc });
  });
  return ops;
}

function addGroup(ops: InventoryOp[], hosts: Set<string>, group: string, raw: unknown, loc: SourceLocation): void {
  if (!group) throw new InventoryError('inventory script printed an empty group name', loc);
  ops.push({ op: 'group', name: group, loc });
  let data: Record<string, unknown>;
  if (!isObject(raw)) data = { hosts: raw };
  // A group object without hosts/vars/children is Ansible's shorthand for "a host of that name with these vars".
  else if (!('hosts' in raw || 'vars' in raw || 'children' in raw)) data = { hosts: [group], vars: raw };
  else data = raw;

  if ('hosts' in data) {
    if (!Array.isArray(data.hosts))
      throw new InventoryError(`group '${group}' has bad data for its host list: expected a list, got ${typeName(data.hosts)}`, loc);
    for (const h of data.hosts) {
      if (typeof h !== 'string' || !h) throw new InventoryError(`group '${group}' lists an invalid host name ${JSON.stringify(h)}`, loc);
      hosts.add(h);
      ops.push({ op: 'host', name: h, group, port: undefined, loc });
    }
  }
  if ('vars' in data) {
    if (!isObject(data.vars))
      throw new InventoryError(`group '${group}' has bad data for its vars: expected an object, got ${typeName(data.vars)}`, loc);
    for (const [key, value] of Object.entries(data.vars)) ops.push({ op: 'groupVar', group, key, value, loc });
  }
  if ('children' in data) {
    const children = isObject(data.children) ? Object.keys(data.children) : data.children;
    if (!Array.isArray(children))
      throw new InventoryError(`group '${group}' has bad data for its children: expected a list, got ${typeName(children)}`, loc);
    for (const child of children) {
      if (typeof child !== 'string' || !child)
        throw new InventoryError(`group '${group}' lists an invalid child group ${JSON.stringify(child)}`, loc);
      ops.push({ op: 'group', name: child, loc });
      ops.push({ op: 'child', parent: group, child, loc });
    }
  }
}

async function hostCalls(script: string, names: string[], cwd: string, timeoutMs: number): Promise<unknown[]> {
  const out: unknown[] = new Array(names.length);
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const i = next++;
      out[i] = await runJson(script, ['--host', names[i]!], cwd, timeoutMs);
    }
  };
  await Promise.all(Array.from({ length: Math.min(HOST_CALLS_AT_ONCE, names.length) }, worker));
  return out;
}
