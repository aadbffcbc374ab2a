/**
 * Text fleet did not write (an inventory script's stderr, a bad line of an INI file) reaches the
 * terminal in error messages and warnings: its control characters must arrive as visible escapes,
 * never as live terminal sequences (clear screen, retitle the window, fake a prompt).
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMain } from '../../helpers/main-in-process.js';

const ESC = '\u001b';
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-input-escapes-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectInert(stderr: string): void {
  // eslint-disable-next-line no-control-regex
  expect(stderr.replace(/\n/g, '')).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  expect(stderr).toContain('\\x1b');
}

describe('control characters from inputs are neutralised on the terminal', () => {
  it("an inventory script's stderr in its error", async () => {
    const script = path.join(dir, 'inv.sh');
    writeFileSync(script, `#!/bin/sh\nprintf '${ESC}]0;owned\\007${ESC}[2Jcmdb down\\r\\n' >&2\nexit 2\n`);
    chmodSync(script, 0o755);
    const r = await runMain(['inventory', '-i', script, '--list'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/inventory script --list failed \(exit code 2\): .*cmdb down/);
    expectInert(r.stderr);
  });

  it('a bad INI line in its error', async () => {
    writeFileSync(path.join(dir, 'hosts.ini'), `[g]\nh1 ${ESC}[31mred${ESC}[0m\n`);
    const r = await runMain(['inventory', '-i', 'hosts.ini', '--list'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^fleet: hosts\.ini:2: expected key=value host variable assignment, got: \\x1b\[31mred/);
    expectInert(r.stderr);
  });
});
