/** Runs fleet or the floor as a child process and measures it: wall time from spawn to exit, plus what it reported (child-usage.ts). */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { ChildUsage } from './child-usage.js';

export interface Measured extends ChildUsage {
  readonly wallMs: number;
  readonly code: number | null;
}

/** `node <script> args…`, stdout to `stdoutFile` (or discarded), stderr inherited. */
export function measure(
  script: string,
  args: readonly string[],
  opts: { stdoutFile?: string; nodeArgs?: readonly string[]; cwd: string },
): Promise<Measured> {
  const usageFile = path.join(opts.cwd, `usage-${process.pid}-${Date.now()}.json`);
  const out = opts.stdoutFile ? openSync(opts.stdoutFile, 'w') : 'ignore';
  const t0 = performance.now();
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), script, ...args], {
    cwd: opts.cwd,
    stdio: ['ignore', out, 'inherit'],
    env: { ...process.env, FLEET_BENCH_USAGE: usageFile, FLEET_DB: '' },
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      const wallMs = performance.now() - t0;
      if (typeof out === 'number') closeSync(out);
      try {
        const u = JSON.parse(readFileSync(usageFile, 'utf8')) as ChildUsage;
        rmSync(usageFile);
        resolve({ ...u, wallMs, code });
      } catch (e) {
        reject(new Error(`${path.basename(script)} exited ${code} without a usage report (${(e as Error).message})`));
      }
    });
  });
}
