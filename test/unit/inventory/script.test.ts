/** Executable inventory scripts: --list with _meta, --host per host without it, and failures. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadInventory } from '../../../src/inventory/index.js';
import { tmpDir, type TmpDir } from './tmp-inventory.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/inventory');
let t: TmpDir | undefined;
afterEach(() => {
  t?.cleanup();
  t = undefined;
});

function script(body: string) {
  t?.cleanup();
  t = tmpDir();
  t.write({ 'inv.sh': `!#!/bin/sh\n${body}\n` });
  return t.dir;
}

/** Resolves once `pid` is dead: gone, or a zombie (an orphan waits for PID 1 to reap it). */
async function waitGone(pid: number): Promise<void> {
  expect(pid).toBeGreaterThan(1);
  for (let i = 0; i < 100; i++) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return;
    }
    if (/^\d+ \(.*\) Z/.test(stat)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`process ${pid} is still running`);
}

function restoreEnv(key: string, value: string | undefined): void {
  if (value === undefined) delete process.env[key];
  else process.env[key] = value;
}

describe('inventory scripts', () => {
  it('reads groups, children and _meta.hostvars', async () => {
    const inv = await loadInventory([path.join(FIXTURES, 'mixed-dir/30-cmdb.sh')]);
    expect(inv.groups.get('gpu')?.hosts).toEqual(['gpu1.lab', 'cmp2.lab']);
    expect(inv.groups.get('racks')?.children).toEqual(['rack-a']);
    // group_vars/ next to the script applies too (mixed-dir/group_vars/gpu.yml sets bridge).
    expect(inv.hosts.get('gpu1.lab')?.vars).toEqual({
      cmdb: 'v2',
      bridge: 'br-gpu-file',
      accel: 'a100',
      ansible_host: '198.18.6.1',
      gpus: 8,
    });
    expect(inv.groups.get('gpu')?.vars).toEqual({ bridge: 'br-gpu-file', accel: 'a100' });
  });

  it('asks --host for each host when there is no _meta, and reads the group-as-host shorthand', async () => {
    const inv = await loadInventory([path.join(FIXTURES, 'scripts/no-meta.sh')]);
    expect(inv.hosts.get('db1.lab')?.vars).toEqual({ engine: 'pg', ansible_host: '198.18.7.1', primary: true });
    expect(inv.hosts.get('web1.lab')?.vars).toEqual({ tier: 'frontend' });
    // {"solo.lab": {"ansible_host": …}} is a group solo.lab holding a host solo.lab with those vars.
    expect(inv.groups.get('solo.lab')?.hosts).toEqual(['solo.lab']);
    expect(inv.hosts.get('solo.lab')?.vars).toEqual({ ansible_host: '198.18.7.7' });
  });

  it('takes empty --host output as no vars', async () => {
    const dir = script(`[ "$1" = --list ] && echo '{"g": ["h"]}'; exit 0`);
    const inv = await loadInventory(['inv.sh'], { cwd: dir });
    expect(inv.hosts.get('h')?.vars).toEqual({});
  });

  it('names the script, the exit code and stderr when it fails', async () => {
    const dir = script('echo "cannot reach CMDB at 198.18.0.9" >&2\necho "  second line" >&2\nexit 3');
    await expect(loadInventory(['inv.sh'], { cwd: dir })).rejects.toThrow(
      `${path.join(dir, 'inv.sh')}: inventory script --list failed (exit code 3): cannot reach CMDB at 198.18.0.9 second line`,
    );
  });

  it('names the script and the JSON problem for invalid output', async () => {
    const dir = script(`echo '{"g": [}'`);
    await expect(loadInventory(['inv.sh'], { cwd: dir })).rejects.toThrow(/inv\.sh: inventory script --list printed invalid JSON \(.+\)$/);
  });

  it('rejects a non-object result and bad host lists', async () => {
    let dir = script(`echo '["h1"]'`);
    await expect(loadInventory(['inv.sh'], { cwd: dir })).rejects.toThrow('inventory script --list must print a JSON object, got a list');
    t?.cleanup();
    dir = script(`echo '{"g": {"hosts": "h1"}}'`);
    await expect(loadInventory(['inv.sh'], { cwd: dir })).rejects.toThrow(
      "group 'g' has bad data for its host list: expected a list, got a string",
    );
  });

  it('fails a failing --host call', async () => {
    const dir = script(`[ "$1" = --list ] && { echo '{"g": ["h"]}'; exit 0; }; echo boom >&2; exit 1`);
    await expect(loadInventory(['inv.sh'], { cwd: dir })).rejects.toThrow('inventory script --host h failed (exit code 1): boom');
  });

  it('kills a stuck script with everything it started, even a child holding stdout, and says so', async () => {
    const dir = script(`sleep 300 &\necho $! > "$(dirname "$0")/child.pid"\nsleep 300`);
    const started = Date.now();
    await expect(loadInventory(['inv.sh'], { cwd: dir, scriptTimeoutMs: 500 })).rejects.toThrow(
      `${path.join(dir, 'inv.sh')}: inventory script --list did not finish within 0.5s`,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    const child = Number(readFileSync(path.join(dir, 'child.pid'), 'utf8'));
    await waitGone(child);
  }, 15_000);

  it('does not wait for a background child of a script that has finished', async () => {
    const dir = script(`sleep 300 &\necho $! > "$(dirname "$0")/child.pid"\necho '{"g": {"hosts": ["h1"]}, "_meta": {"hostvars": {}}}'`);
    const started = Date.now();
    const inv = await loadInventory(['inv.sh'], { cwd: dir, scriptTimeoutMs: 60_000 });
    expect(inv.groups.get('g')?.hosts).toEqual(['h1']);
    expect(Date.now() - started).toBeLessThan(10_000);
    await waitGone(Number(readFileSync(path.join(dir, 'child.pid'), 'utf8')));
  }, 15_000);

  it("does not hand fleet's own secrets to the script in its environment", async () => {
    const dir = script(`env > "$(dirname "$0")/env.txt"\necho '{"g": {"hosts": ["h1"]}, "_meta": {"hostvars": {}}}'`);
    const saved = { b: process.env.FLEET_BECOME_PASSWORD, p: process.env.FLEET_SSH_PASSPHRASE };
    process.env.FLEET_BECOME_PASSWORD = 'canary-become-7f3a';
    process.env.FLEET_SSH_PASSPHRASE = 'canary-passphrase-9c1d';
    try {
      await loadInventory(['inv.sh'], { cwd: dir });
    } finally {
      restoreEnv('FLEET_BECOME_PASSWORD', saved.b);
      restoreEnv('FLEET_SSH_PASSPHRASE', saved.p);
    }
    const env = readFileSync(path.join(dir, 'env.txt'), 'utf8');
    expect(env).toMatch(/^PATH=/m); // the rest of the environment is kept
    expect(env).not.toContain('canary-');
    expect(env).not.toMatch(/FLEET_BECOME_PASSWORD|FLEET_SSH_PASSPHRASE/);
  });

  it('refuses a script that is not executable', async () => {
    t = tmpDir();
    t.write({ 'inv.py': '#!/usr/bin/env python3\nprint("{}")\n' });
    await expect(loadInventory(['inv.py'], { cwd: t.dir })).rejects.toThrow('inv.py: inventory script is not executable (chmod +x inv.py)');
  });
});
