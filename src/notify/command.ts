/**
 * The command channel: a program (argv, no shell) gets the notification JSON on stdin, for mail or
 * pagers. It runs in its own process group so a timeout kills it and anything it started.
 */
import { spawn } from 'node:child_process';
import { DeliveryError } from './webhook.js';

export function runNotifyCommand(argv: readonly string[], payload: string, timeoutMs: number): Promise<void> {
  const [cmd, ...args] = argv;
  if (!cmd) return Promise.reject(new DeliveryError('empty command'));
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'ignore', 'pipe'], detached: true });
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-(child.pid ?? 0), 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 1000) stderr += d.toString('utf8');
    });
    // A program that exits without reading stdin makes the write fail with EPIPE: its exit code says more.
    child.stdin.on('error', () => undefined);
    child.stdin.end(payload);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new DeliveryError(`cannot run ${cmd}: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) return reject(new DeliveryError(`${cmd} did not finish within ${timeoutMs} ms: killed`));
      if (code === 0) return resolve();
      const tail = stderr.trim().split('\n').pop()?.slice(0, 200) ?? '';
      reject(new DeliveryError(`${cmd} exited ${code ?? signal}${tail ? `: ${tail}` : ''}`));
    });
  });
}
