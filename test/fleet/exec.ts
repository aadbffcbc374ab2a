/**
 * Running programs for the simulator: async and sync variants with bounded time, plus shell quoting.
 * No shell is involved unless a caller asks for `sh -c` explicitly.
 */
import { spawn, spawnSync } from 'node:child_process';

/** A simulator failure, one line: what failed on which host and why. */
export class SimFleetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimFleetError';
  }
}

export interface RunResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  /** Kill the process after this long (default 30 s). */
  timeoutMs?: number;
}

/** Runs a program and collects its output; never rejects (inspect `code`). */
export function runCmd(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: 127, signal: null, stdout: '', stderr: e.message });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

/** First line of a program's complaint, for one-line error messages. */
export function firstLine(r: RunResult): string {
  const text = (r.stderr.trim() || r.stdout.trim()).split('\n')[0] ?? '';
  return text || (r.signal ? `killed by ${r.signal}` : `exit code ${r.code}`);
}

/** Runs a program and throws a one-line SimFleetError (prefixed with `what`) unless it exits 0. */
export async function mustRun(what: string, file: string, args: readonly string[], opts: RunOptions = {}): Promise<string> {
  const r = await runCmd(file, args, opts);
  if (r.code !== 0) throw new SimFleetError(`${what}: ${firstLine(r)}`);
  return r.stdout;
}

/** Synchronous variant, for exit handlers and the cleanup script. */
export function runSync(file: string, args: readonly string[], opts: RunOptions = {}): RunResult {
  const r = spawnSync(file, args, { input: opts.input ?? '', timeout: opts.timeoutMs ?? 30_000, encoding: 'utf8' });
  return {
    code: r.error ? 127 : r.status,
    signal: r.signal,
    stdout: r.stdout ?? '',
    stderr: r.error ? r.error.message : (r.stderr ?? ''),
  };
}

/** Quotes a value for POSIX sh. */
export function shq(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Runs `ip [-n netns] -batch -` with the given lines; throws naming the first failing line. */
export async function ipBatch(what: string, lines: readonly string[], netns?: string): Promise<void> {
  if (lines.length === 0) return;
  const args = netns ? ['-n', netns, '-batch', '-'] : ['-batch', '-'];
  const r = await runCmd('ip', args, { input: `${lines.join('\n')}\n`, timeoutMs: 120_000 });
  if (r.code !== 0) throw new SimFleetError(`${what}: ${r.stderr.trim().split('\n').join('; ') || firstLine(r)}`);
}
