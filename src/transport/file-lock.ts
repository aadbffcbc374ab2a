/**
 * An exclusive flock(2) on an open file, held until the file is closed (or this process dies: the
 * kernel drops it, so it can never go stale). Node has no flock, so util-linux `flock` locks the
 * descriptor it inherits from us: flock locks belong to the open file DESCRIPTION, which the child
 * shares, so the lock is still ours after the child exits.
 */
import { spawn } from 'node:child_process';
import type { FileHandle } from 'node:fs/promises';

export async function lockOpenFile(handle: FileHandle, what: string, timeoutS = 30): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn('flock', ['-x', '-w', String(timeoutS), '3'], { stdio: ['ignore', 'ignore', 'pipe', handle.fd] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) =>
      reject(
        new Error(
          `cannot lock ${what}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'flock (util-linux) is not installed' : err.message}`,
        ),
      ),
    );
    child.on('close', (code) => {
      if (code === 0) resolve();
      else if (code === 1) reject(new Error(`cannot lock ${what}: another process held it for ${timeoutS}s`));
      else reject(new Error(`cannot lock ${what}: flock exited ${code}${stderr.trim() ? `: ${stderr.trim()}` : ''}`));
    });
  });
}
