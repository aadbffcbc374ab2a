/**
 * Turns queued writes into SQL parameter rows: redaction, output caps, JSON, fact compression.
 * Runs in the writer before BEGIN, so the write lock is held only for the INSERTs themselves.
 */
import { promisify } from 'node:util';
import { deflate, inflateSync } from 'node:zlib';
import type { SqlValue } from './sql-db.js';
import { capUtf8 } from './truncate.js';
import type { PendingWrite } from './writes.js';

const deflateAsync = promisify(deflate);

export interface EncodeOptions {
  /** Applied to text that may carry secrets (output, messages, reasons) before it is stored. */
  readonly redact: (text: string) => string;
  /** Max UTF-8 bytes kept per stdout / stderr / message. */
  readonly outputCap: number;
  /** Facts JSON larger than this many bytes is stored zlib-compressed. */
  readonly compressFactsAbove: number;
}

type Of<K extends PendingWrite['kind']> = Extract<PendingWrite, { kind: K }>;

const bool = (b: boolean): number => (b ? 1 : 0);
const optText = (s: string | null | undefined, o: EncodeOptions): string | null =>
  s === null || s === undefined ? null : capUtf8(o.redact(s), o.outputCap).text;

export const HOST_COLUMNS = ['run_id', 'host', 'status', 'reason', 'started_at', 'finished_at'] as const;
export function hostParams(w: Of<'host'>, o: EncodeOptions): SqlValue[] {
  const r = w.row;
  return [w.runId, r.host, r.status, optText(r.reason, o), r.startedAt, r.finishedAt];
}

export const GROUP_COLUMNS = ['run_id', 'host', 'group_name'] as const;
export function groupRows(w: Of<'groups'>): SqlValue[][] {
  return [...new Set(w.groups)].map((g) => [w.runId, w.host, g]);
}

export const STEP_COLUMNS = [
  'run_id',
  'host',
  'step_id',
  'name',
  'status',
  'changed',
  'rc',
  'stdout',
  'stdout_truncated',
  'stderr',
  'stderr_truncated',
  'started_at',
  'duration_ms',
  'message',
] as const;
export function stepParams(w: Of<'step'>, o: EncodeOptions): SqlValue[] {
  const s = w.step;
  // Redact before capping: a cut must never leave half a secret behind.
  const out = capUtf8(o.redact(s.stdout), o.outputCap);
  const err = capUtf8(o.redact(s.stderr), o.outputCap);
  return [
    w.runId,
    w.host,
    s.stepId,
    s.name,
    s.status,
    bool(s.changed),
    s.rc,
    out.text,
    bool(out.truncated),
    err.text,
    bool(err.truncated),
    Math.round(s.startedAt),
    Math.round(s.durationMs),
    optText(s.message, o),
  ];
}

export const CHECK_COLUMNS = [
  'run_id',
  'host',
  'check_id',
  'status',
  'severity',
  'message',
  'evidence',
  'fix',
  'fix_id',
  'fix_status',
] as const;
export function checkParams(w: Of<'check'>, o: EncodeOptions): SqlValue[] {
  const c = w.check;
  return [
    w.runId,
    w.host,
    c.id,
    c.status,
    c.severity,
    optText(c.message, o) ?? '',
    w.evidenceJson,
    optText(c.fix, o),
    c.fixId ?? null,
    w.fixStatus,
  ];
}

export const FLEET_CHECK_COLUMNS = ['run_id', 'check_id', 'status', 'severity', 'message', 'hosts', 'evidence'] as const;
export function fleetCheckParams(w: Of<'fleetCheck'>, o: EncodeOptions): SqlValue[] {
  const c = w.check;
  return [w.runId, c.id, c.status, c.severity, optText(c.message, o) ?? '', w.hostsJson, w.evidenceJson];
}

export const FACTS_COLUMNS = ['run_id', 'host', 'encoding', 'body'] as const;
export type FactsEncoding = 'json' | 'json+zlib';
export async function factsParams(w: Of<'facts'>, o: EncodeOptions): Promise<SqlValue[]> {
  const raw = Buffer.from(w.json, 'utf8');
  if (raw.length <= o.compressFactsAbove) return [w.runId, w.host, 'json', raw];
  // zlib on the libuv pool: big fact sets (ip -j addr on a busy hypervisor) compress ~10x.
  return [w.runId, w.host, 'json+zlib', await deflateAsync(raw)];
}

/** Inverse of factsParams' body: the parsed facts object. */
export function decodeFacts(encoding: string, body: Buffer | string): unknown {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const json = encoding === 'json+zlib' ? inflateSync(bytes).toString('utf8') : bytes.toString('utf8');
  return JSON.parse(json) as unknown;
}
