/**
 * `sysctl`: keeps a kernel parameter in a sysctl.d file (default /etc/sysctl.d/99-fleet.conf) and,
 * with `sysctl_set`, in the running kernel. Reads file and value in one exec, writes the file with
 * put_file (atomic), then applies with `sysctl -p <file>` (reload) or `sysctl -w` (sysctl_set).
 */
import { PlaybookError } from '../core/errors.js';
import { shQuote } from '../core/shell.js';
import { bool, checkArgs, str } from './args.js';
import { putFile } from './put-file.js';
import type { ModuleResult, TaskModule } from './types.js';

export const DEFAULT_SYSCTL_FILE = '/etc/sysctl.d/99-fleet.conf';
const SEP = '@@FLEET-SYSCTL@@';

const SPEC = {
  types: { name: 'string', value: 'any', state: 'string', sysctl_set: 'bool', reload: 'bool', sysctl_file: 'string', ignoreerrors: 'bool' },
  required: ['name'],
} as const;

/** `net/ipv4/ip_forward` and `net.ipv4.ip_forward` are the same key. */
const keyOf = (name: string) => name.trim().replace(/\//g, '.');
const normValue = (v: string) => v.trim().split(/\s+/).join(' ');

function valueString(v: unknown): string {
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'number' || typeof v === 'string') return String(v);
  throw new Error(`value must be a string or number, got ${JSON.stringify(v)}`);
}

/** The file with `name` set to `value` (first occurrence replaced, duplicates dropped) or removed. */
export function editSysctlFile(text: string, name: string, value: string | undefined): string {
  const key = keyOf(name);
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  const out: string[] = [];
  let placed = false;
  for (const line of lines) {
    const m = /^\s*-?\s*([^=#;\s][^=]*?)\s*=/.exec(line);
    if (m && keyOf(m[1] ?? '') === key) {
      if (value !== undefined && !placed) out.push(`${name} = ${value}`);
      placed = true;
      continue;
    }
    out.push(line);
  }
  if (value !== undefined && !placed) out.push(`${name} = ${value}`);
  return out.length ? `${out.join('\n')}\n` : '';
}

export const sysctlModule: TaskModule = {
  name: 'sysctl',
  parse(raw, at) {
    const args = checkArgs('sysctl', raw, SPEC, at);
    const state = args['state'] ?? 'present';
    if (state !== 'present' && state !== 'absent' && !String(state).includes('{{')) {
      throw new PlaybookError(`sysctl: state must be present or absent, got '${String(state)}'`, at.keyLoc('state'));
    }
    if (state === 'present' && args['value'] === undefined)
      throw new PlaybookError("sysctl: 'value' is required with state: present", at.loc);
    return args;
  },
  mutates: () => true,
  async run(ctx, args): Promise<ModuleResult> {
    const name = str(args, 'name') ?? '';
    const state = str(args, 'state') ?? 'present';
    const value = state === 'present' ? valueString(args['value']) : undefined;
    const file = str(args, 'sysctl_file') ?? DEFAULT_SYSCTL_FILE;
    const setRuntime = bool(args, 'sysctl_set', false) && value !== undefined;
    const reload = bool(args, 'reload', true);
    const ignore = bool(args, 'ignoreerrors', false);

    const f = shQuote(file);
    const read = await ctx.exec(
      `if [ -f ${f} ]; then echo present; base64 < ${f}; else echo absent; fi; echo ${SEP}` +
        (setRuntime ? `; sysctl -n ${shQuote(keyOf(name))}` : ''),
    );
    const [filePart = '', runtimePart = ''] = read.stdout.split(`${SEP}\n`);
    const [presence, ...b64] = filePart.split('\n');
    if (presence !== 'present' && presence !== 'absent') throw new Error(`cannot read ${file}: ${read.stderr.trim()}`);
    const before = presence === 'present' ? Buffer.from(b64.join(''), 'base64').toString('utf8') : '';
    const after = editSysctlFile(before, name, value);
    const fileChanges = after !== before && !(presence === 'absent' && after === '');
    const current = setRuntime ? runtimePart.trim() : undefined;
    if (setRuntime && read.rc !== 0 && !ignore)
      return { changed: false, failed: true, msg: `unknown sysctl ${name}: ${read.stderr.trim()}` };
    const runtimeChanges = setRuntime && normValue(current ?? '') !== normValue(value ?? '');
    const data = { name, value, sysctl_file: file, ...(current !== undefined ? { current } : {}) };
    if (!fileChanges && !runtimeChanges) return { changed: false, msg: `${name} is ${value ?? 'absent'}`, data };

    const what = [fileChanges ? `${file}` : '', runtimeChanges ? `running value ${current} → ${value}` : ''].filter(Boolean).join(', ');
    if (ctx.dryRun) {
      const fileRes = fileChanges ? await putFile(ctx, { dest: file, content: Buffer.from(after) }) : undefined;
      return {
        changed: true,
        msg: `would set ${name} = ${value ?? '(absent)'} (${what})`,
        ...(fileRes?.diff ? { diff: fileRes.diff } : {}),
        data,
      };
    }

    let diff: string | undefined;
    if (fileChanges) {
      const w = await putFile(ctx, { dest: file, content: Buffer.from(after) });
      if (w.failed) return w;
      diff = w.diff;
    }
    const e = ignore ? '-e ' : '';
    const cmds: string[] = [];
    if (reload && fileChanges) cmds.push(`sysctl ${e}-p ${f}`);
    else if (runtimeChanges) cmds.push(`sysctl ${e}-w ${shQuote(`${keyOf(name)}=${value ?? ''}`)}`);
    for (const cmd of cmds) {
      const r = await ctx.exec(cmd);
      if (r.rc !== 0 && !ignore)
        return { changed: true, failed: true, rc: r.rc, stderr: r.stderr, msg: `${cmd} failed: ${r.stderr.trim()}`, data };
    }
    return { changed: true, msg: `set ${name} = ${value ?? '(absent)'} (${what})`, ...(diff ? { diff } : {}), data };
  },
};
