import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isProcessAlive } from '../../../src/store/liveness.js';

describe('isProcessAlive', () => {
  it('sees this process and init as alive', () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(isProcessAlive(1)).toBe(true);
  });

  it('sees an exited, reaped child as dead', () => {
    const r = spawnSync(process.execPath, ['-e', ''], { timeout: 10_000 });
    expect(isProcessAlive(r.pid!)).toBe(false);
  });

  it('never treats 0, negatives or non-integers as a pid (they would address process groups)', () => {
    for (const pid of [0, -1, -process.pid, 1.5, Number.NaN]) expect(isProcessAlive(pid)).toBe(false);
  });
});
