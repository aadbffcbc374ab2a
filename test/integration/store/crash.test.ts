/** A controller killed with SIGKILL in the middle of a batch leaves a consistent database (both backends). */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from './backends.js';
import { compileForNode } from './helpers.js';

let child: { js: string; cleanup: () => void } | undefined;
beforeAll(() => {
  child = compileForNode('test/fixtures/store/crash-writer.ts');
}, 90_000);
afterAll(() => child?.cleanup());

const PER_BATCH = 20_000;

describe.each(BACKENDS)('SIGKILL during a write ($name)', (b) => {
  beforeAll(() => b.setup());
  afterAll(() => b.teardown());

  it('keeps every committed batch whole, loses only the torn one, and recoverInterrupted marks the run', async () => {
    const file = await b.newTarget();
    const proc = spawn(process.execPath, [child!.js, file, String(PER_BATCH)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on('exit', (_code, signal) => resolve(signal)));
    let runId = 0;
    let committed = 0;
    try {
      for await (const line of createInterface({ input: proc.stdout })) {
        const [word, num] = line.split(' ');
        if (word === 'run') runId = Number(num);
        if (word === 'batch') committed = Number(num);
        if (committed === 2) break;
      }
      expect(committed, `child died early: ${stderr}`).toBe(2);
      // Batch 3 is now inside its transaction: a 20 000-step batch takes ~400 ms here (SQLite; more with
      // PostgreSQL), nearly all of it between BEGIN and COMMIT (encoding is ~20 ms).
      await new Promise((r) => setTimeout(r, 150));
    } finally {
      proc.kill('SIGKILL');
    }
    expect(await exited).toBe('SIGKILL');

    if (b.name === 'sqlite') {
      const raw = await b.raw(file);
      expect(await raw.get('PRAGMA integrity_check')).toEqual({ integrity_check: 'ok' });
      expect(await raw.get('PRAGMA foreign_key_check')).toBeUndefined();
      await raw.close();
    }

    const store = await b.open({}, file);
    try {
      expect(await store.getRun(runId)).toMatchObject({ playbook: 'crash-test', status: 'running', pid: proc.pid });
      const steps = (await store.getSteps(runId)).length;
      expect(steps % PER_BATCH).toBe(0); // all-or-nothing per transaction
      expect(steps).toBeGreaterThanOrEqual(2 * PER_BATCH);

      expect(await store.recoverInterrupted()).toEqual([runId]);
      const run = await store.getRun(runId);
      expect(run?.status).toBe('interrupted');
      expect(run?.finishedAt).toBeGreaterThanOrEqual(run!.startedAt);
      expect(await store.recoverInterrupted()).toEqual([]);
    } finally {
      await store.close();
    }
  }, 60_000);
});
