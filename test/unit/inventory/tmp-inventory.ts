/** Writes small inventories to a temp directory for tests; removed by cleanup(). */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TmpDir {
  readonly dir: string;
  /** Writes files (paths relative to dir; a leading `!` on the content makes the file executable). */
  write(files: Record<string, string>): void;
  cleanup(): void;
}

export function tmpDir(): TmpDir {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-inv-'));
  return {
    dir,
    write(files) {
      for (const [rel, content] of Object.entries(files)) {
        const full = path.join(dir, rel);
        mkdirSync(path.dirname(full), { recursive: true });
        const exec = content.startsWith('!#!');
        writeFileSync(full, exec ? content.slice(1) : content);
        if (exec) chmodSync(full, 0o755);
      }
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
