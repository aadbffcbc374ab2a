/**
 * Writes a file on a host through the one connection, the way copy/template/sysctl need it:
 * compare first (sha256, mode, owner, group) so an unchanged file is not touched; write to a temp
 * file in the destination's directory (content as base64 on stdin), validate it, back up the old
 * file, then rename over the destination (atomic: readers see the old or the new file, never half).
 */
import { createHash } from 'node:crypto';
import { createTwoFilesPatch } from 'diff';
import { shQuote } from '../core/shell.js';
import type { ModuleContext, ModuleResult } from './types.js';

export interface FileWanted {
  readonly dest: string;
  readonly content: Buffer;
  /** Octal string as stat prints it (`644`, `4755`), already normalised. */
  readonly mode?: string;
  readonly owner?: string;
  readonly group?: string;
  readonly backup?: boolean;
  /** Command run on the temp file before it replaces dest; `%s` is the temp path. */
  readonly validate?: string;
  /** false: only create the file when dest is absent. */
  readonly force?: boolean;
}

export interface RemoteStat {
  readonly kind: 'absent' | 'file' | 'dir' | 'other';
  readonly sha256?: string;
  readonly mode?: string;
  readonly owner?: string;
  readonly group?: string;
  readonly size?: number;
}

const MAX_DIFF_BYTES = 256 * 1024;

/** Normalises a mode argument to stat's `%a` form; throws for anything but an octal string. */
export function normaliseMode(mode: unknown): string | undefined {
  if (mode === undefined || mode === null) return undefined;
  if (typeof mode !== 'string' || !/^0?[0-7]{3,4}$/.test(mode)) {
    throw new Error(`mode must be an octal string like '0644', got ${JSON.stringify(mode)}`);
  }
  return String(Number.parseInt(mode, 8).toString(8));
}

export const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** One exec: what is at `path`. */
export async function statRemote(ctx: ModuleContext, path: string): Promise<RemoteStat> {
  const p = shQuote(path);
  const r = await ctx.exec(
    `if [ -d ${p} ]; then echo dir; elif [ -f ${p} ]; then echo file; (sha256sum ${p} || openssl dgst -sha256 -r ${p}) | cut -d' ' -f1; stat -c '%a %U %G %s' ${p}; elif [ -e ${p} ]; then echo other; else echo absent; fi`,
  );
  const [kind, hash, meta] = r.stdout.split('\n');
  if (r.rc !== 0 || !kind) throw new Error(`cannot stat ${path}: ${r.stderr.trim() || `rc ${r.rc}`}`);
  if (kind !== 'file') return { kind: kind === 'dir' || kind === 'absent' ? kind : 'other' };
  if (!hash || !/^[0-9a-f]{64}$/.test(hash)) throw new Error(`cannot read ${path}: ${r.stderr.trim() || 'no checksum'}`);
  const [mode, owner, group, size] = (meta ?? '').split(' ');
  return { kind: 'file', sha256: hash, mode, owner, group, size: Number(size) };
}

/** Reads a (small) remote file, binary-safe. */
export async function readRemote(ctx: ModuleContext, path: string): Promise<Buffer> {
  const r = await ctx.exec(`base64 < ${shQuote(path)}`);
  if (r.rc !== 0) throw new Error(`cannot read ${path}: ${r.stderr.trim() || `rc ${r.rc}`}`);
  return Buffer.from(r.stdout.replace(/\s+/g, ''), 'base64');
}

function isText(b: Buffer): boolean {
  return !b.subarray(0, 8192).includes(0);
}

/** A unified diff between the host's file and what we would write (empty for binary or huge files). */
async function diffFor(ctx: ModuleContext, want: FileWanted, stat: RemoteStat): Promise<string | undefined> {
  if (want.content.length > MAX_DIFF_BYTES || !isText(want.content)) return `(binary or large file: ${want.dest}, diff not shown)`;
  let before = '';
  if (stat.kind === 'file') {
    if ((stat.size ?? 0) > MAX_DIFF_BYTES) return `(large file: ${want.dest}, diff not shown)`;
    const old = await readRemote(ctx, want.dest);
    if (!isText(old)) return `(binary file: ${want.dest}, diff not shown)`;
    before = old.toString('utf8');
  }
  const after = want.content.toString('utf8');
  if (before === after) return undefined;
  return createTwoFilesPatch(stat.kind === 'file' ? want.dest : '/dev/null', want.dest, before, after, 'before', 'after');
}

function writeScript(want: FileWanted, exists: boolean): string {
  const d = shQuote(want.dest);
  const lines = [
    'set -e',
    `d=${d}`,
    't=$(mktemp "$(dirname "$d")/.fleet.XXXXXX")',
    `trap 'rm -f "$t"' EXIT`,
    'base64 -d > "$t"',
    // mktemp creates 0600: keep the old file's mode/ownership, or use the umask for a new file.
    exists
      ? 'chmod "$(stat -c %a "$d")" "$t"; chown "$(stat -c %u:%g "$d")" "$t" 2>/dev/null || true'
      : 'chmod "$(printf %o $((0666 & ~$(umask))))" "$t"',
  ];
  if (want.mode) lines.push(`chmod ${shQuote(want.mode)} "$t"`);
  if (want.owner) lines.push(`chown ${shQuote(want.owner)} "$t"`);
  if (want.group) lines.push(`chgrp ${shQuote(want.group)} "$t"`);
  if (want.validate) {
    const cmd = want.validate.split('%s').join('"$t"');
    lines.push(`if ! ( ${cmd} ) >&2; then echo "fleet: validation failed: ${want.validate.replace(/["\\$`]/g, '\\$&')}" >&2; exit 3; fi`);
  }
  if (want.backup && exists) lines.push('b="$d.$(date +%Y%m%d%H%M%S).$$~"', 'cp -p "$d" "$b"', 'echo "backup=$b"');
  lines.push('mv -f "$t" "$d"', 'trap - EXIT');
  return lines.join('\n');
}

function attrsScript(want: FileWanted): string {
  const d = shQuote(want.dest);
  return [
    'set -e',
    want.mode ? `chmod ${shQuote(want.mode)} ${d}` : '',
    want.owner ? `chown ${shQuote(want.owner)} ${d}` : '',
    want.group ? `chgrp ${shQuote(want.group)} ${d}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

/** Makes the host's file match `want`; reports changed only when content, mode, owner or group differ. */
export async function putFile(ctx: ModuleContext, want: FileWanted): Promise<ModuleResult> {
  const stat = await statRemote(ctx, want.dest);
  if (stat.kind === 'dir' || stat.kind === 'other')
    return { changed: false, failed: true, msg: `${want.dest} exists and is not a regular file` };
  const checksum = sha256(want.content);
  const exists = stat.kind === 'file';
  const data = { dest: want.dest, checksum, size: want.content.length };
  if (exists && want.force === false) return { changed: false, msg: `${want.dest} exists (force: false)`, data };

  const what: string[] = [];
  if (!exists) what.push('create');
  else if (stat.sha256 !== checksum) what.push('content');
  if (exists && want.mode && stat.mode !== want.mode) what.push(`mode ${stat.mode} → ${want.mode}`);
  if (exists && want.owner && stat.owner !== want.owner) what.push(`owner ${stat.owner} → ${want.owner}`);
  if (exists && want.group && stat.group !== want.group) what.push(`group ${stat.group} → ${want.group}`);
  if (what.length === 0) return { changed: false, msg: `${want.dest} is up to date`, data };

  const contentChanges = !exists || stat.sha256 !== checksum;
  const diff = ctx.diff && contentChanges ? await diffFor(ctx, want, stat) : undefined;
  const summary = `${want.dest} (${what.join(', ')})`;
  if (ctx.dryRun) return { changed: true, msg: `would update ${summary}`, ...(diff ? { diff } : {}), data };

  const r = contentChanges
    ? await ctx.exec(writeScript(want, exists), { stdin: want.content.toString('base64') })
    : await ctx.exec(attrsScript(want));
  if (r.rc !== 0) {
    const why = r.stderr.trim().split('\n').filter(Boolean).at(-1) ?? `rc ${r.rc}`;
    return { changed: false, failed: true, rc: r.rc, stderr: r.stderr, msg: `could not write ${want.dest}: ${why}`, data };
  }
  const backup = /^backup=(.*)$/m.exec(r.stdout)?.[1];
  return {
    changed: true,
    msg: `updated ${summary}`,
    ...(diff ? { diff } : {}),
    data: { ...data, ...(backup ? { backup_file: backup } : {}) },
  };
}
