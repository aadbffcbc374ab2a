/** Running the built `fleet daemon` in tests: its log lines as they come, signals, and the DB read raw. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import sqlite3 from 'sqlite3';
import { assertBuilt, ROOT } from '../../helpers/cli.js';

export interface Daemon {
  readonly child: ChildProcess;
  /** Every stderr line so far. */
  readonly lines: string[];
  /** Resolves with the exit code (or signal name) once the process is gone. */
  readonly exited: Promise<number | string>;
  /** Waits until a line matches (or fails after timeoutMs with the log). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
  count(re: RegExp): number;
  /** Waits until at least `n` lines match. */
  waitCount(re: RegExp, n: number, timeoutMs?: number): Promise<void>;
}

export function startDaemon(args: string[], cwd: string): Daemon {
  assertBuilt();
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/fleet.js'), 'daemon', ...args], {
    cwd,
    env: { ...process.env, FLEET_DB: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const lines: string[] = [];
  let partial = '';
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  child.stderr!.on('data', (d: Buffer) => {
    partial += d.toString('utf8');
    let i: number;
    while ((i = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, i);
      partial = partial.slice(i + 1);
      lines.push(line);
      for (const w of [...waiters])
        if (w.re.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
    }
  });
  const exited = new Promise<number | string>((resolve) => child.on('close', (code, sig) => resolve(code ?? sig ?? -1)));
  return {
    child,
    lines,
    exited,
    count: (re) => lines.filter((l) => re.test(l)).length,
    async waitCount(re, n, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      while (lines.filter((l) => re.test(l)).length < n) {
        if (Date.now() > until)
          throw new Error(`fewer than ${n} daemon lines matched ${re} within ${timeoutMs} ms; log:\n${lines.join('\n')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    waitFor(re, timeoutMs = 30_000) {
      const seen = lines.find((l) => re.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const w = { re, resolve: (l: string) => (clearTimeout(timer), resolve(l)) };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`no daemon line matched ${re} within ${timeoutMs} ms; log:\n${lines.join('\n')}`));
        }, timeoutMs);
        waiters.push(w);
      });
    },
  };
}

/** Stops a daemon (SIGTERM) and returns its exit code; SIGKILL if it does not stop in time. */
export async function stopDaemon(d: Daemon, timeoutMs = 30_000): Promise<number | string> {
  if (d.child.exitCode !== null || d.child.signalCode !== null) return d.exited;
  d.child.kill('SIGTERM');
  const t = setTimeout(() => d.child.kill('SIGKILL'), timeoutMs);
  try {
    return await d.exited;
  } finally {
    clearTimeout(t);
  }
}

/** Rows of a read-only query on an SQLite DB file. */
export function query<T>(db: string, sql: string, params: unknown[] = []): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const conn = new sqlite3.Database(db, sqlite3.OPEN_READONLY, (err) => {
      if (err) return reject(err);
      conn.all(sql, params, (e, rows) => {
        conn.close();
        if (e) reject(e);
        else resolve(rows as T[]);
      });
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** True when no two [start, end] intervals overlap. */
export function overlapping(runs: readonly { id: number; started_at: number; finished_at: number | null }[]): string[] {
  const sorted = [...runs].sort((a, b) => a.started_at - b.started_at);
  const out: string[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (prev.finished_at === null || prev.finished_at > cur.started_at) out.push(`run ${prev.id} and run ${cur.id}`);
  }
  return out;
}
