/**
 * Runs an inventory script as a process group of its own, so that a timeout kills everything it
 * started: a background child that inherited stdout (`sleep 300 &`) would otherwise keep the pipe
 * open, and fleet waiting for it, long after the script itself was killed.
 */
import { spawn } from 'node:child_process';
import { childEnv } from '../core/secret-env.js';

export interface ScriptRun {
  readonly code: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/** After the script exits, how long its leftovers may keep stdout/stderr open before they are killed. */
const LINGER_MS = 1_000;

/** Runs `script args` in `cwd`; rejects only when it cannot be started (ENOENT, EACCES…). */
export function runScript(script: string, args: readonly string[], cwd: string, timeoutMs: number): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(script, args, { cwd, env: childEnv(process.env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let exit: { code: number | null; signal: string | null } = { code: null, signal: null };
    let settled = false;
    let linger: NodeJS.Timeout | undefined;

    const killGroup = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // the whole group is already gone
      }
    };
    const finish = (timedOut: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(linger);
      process.off('exit', killGroup);
      // Our ends of the pipes: a leftover that escaped the group must not keep fleet alive.
      child.stdout.destroy();
      child.stderr.destroy();
      resolve({ ...exit, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), timedOut });
    };

    // Detached, the script no longer gets the terminal's Ctrl-C: if fleet exits, take it along.
    process.on('exit', killGroup);
    const timer = setTimeout(() => {
      killGroup();
      finish(true);
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      process.off('exit', killGroup);
      reject(e);
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      linger = setTimeout(() => {
        killGroup();
        finish(false);
      }, LINGER_MS);
    });
    child.on('close', (code, signal) => {
      exit = { code, signal };
      // Not killGroup(): with the group possibly empty, its id could already belong to someone else.
      finish(false);
    });
  });
}
