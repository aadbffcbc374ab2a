/**
 * Runs the BUILT fleet CLI (bin/fleet.js → dist/) as a user would, so tests catch what only shows
 * outside vitest (ESM/CommonJS interop, the launcher, exit codes, signals).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/fleet.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function assertBuilt(): void {
  if (!existsSync(path.join(ROOT, 'dist/src/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does it)');
}

/** Starts fleet with args; `onStart` gets the child (e.g. to send a signal later). */
export function fleet(
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; onStart?: (c: ChildProcess) => void } = {},
): Promise<CliResult> {
  assertBuilt();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, FLEET_DB: '', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    opts.onStart?.(child);
  });
}

/** The options that point fleet at a simulated fleet and a results DB: inventory, known_hosts, --db. */
export function simFleetArgs(sim: { readonly inventoryPath: string; readonly knownHostsPath: string }, db: string): string[] {
  return ['-i', sim.inventoryPath, '--known-hosts', sim.knownHostsPath, '--db', db];
}
