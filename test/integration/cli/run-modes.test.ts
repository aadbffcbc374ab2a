/**
 * Which runs change hosts, through the built CLI on this machine (ansible_connection=local):
 * a check playbook only with --fix; a remediation playbook (`fix: true`) unless --check or --no-fix.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../src/store/sqlite.js';
import { fleet } from '../../helpers/cli.js';

let dir: string;
let inventory: string;
const target = () => path.join(dir, 'out.txt');

function playbook(name: string, fix: boolean | undefined): string {
  const file = path.join(dir, `${name}.yml`);
  writeFileSync(
    file,
    [
      '- hosts: all',
      ...(fix === undefined ? [] : [`  fix: ${fix}`]),
      '  tasks:',
      '    - name: write the file',
      '      copy:',
      `        dest: ${target()}`,
      '        content: "declared\\n"',
      '',
    ].join('\n'),
  );
  return file;
}

async function run(pb: string, ...extra: string[]) {
  rmSync(target(), { force: true });
  const r = await fleet(['run', pb, '-i', inventory, '--db', path.join(dir, 'fleet.db'), ...extra]);
  return { ...r, wrote: existsSync(target()) };
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-modes-'));
  inventory = path.join(dir, 'hosts');
  writeFileSync(inventory, '[lab]\nlocalhost ansible_connection=local\n[dc1:children]\nlab\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fleet run: check playbooks read, remediation playbooks apply', () => {
  it('a check playbook changes nothing without --fix, and changes with it', async () => {
    const pb = playbook('check', undefined);
    const plain = await run(pb);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.wrote).toBe(false);
    expect(plain.stderr).not.toMatch(/remediation playbook/);
    const fixed = await run(pb, '--fix');
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.wrote).toBe(true);
    expect(readFileSync(target(), 'utf8')).toBe('declared\n');
  });

  it('a remediation playbook (fix: true) applies by default and says so; --check and --no-fix change nothing', async () => {
    const pb = playbook('remedy', true);
    const plain = await run(pb);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.wrote).toBe(true);
    expect(plain.stderr).toMatch(
      /is a remediation playbook \(fix: true\): applying changes; preview with --check --diff, read only with --no-fix/,
    );

    const check = await run(pb, '--check', '--diff');
    expect(check.code, check.stderr).toBe(0);
    expect(check.wrote).toBe(false);
    expect(check.stderr).toMatch(/--check: showing what the changes would do; nothing changes/);
    expect(check.stdout).toMatch(/\+declared/);

    const noFix = await run(pb, '--no-fix');
    expect(noFix.code, noFix.stderr).toBe(0);
    expect(noFix.wrote).toBe(false);
    expect(noFix.stderr).toMatch(/--no-fix: read-only; nothing changes/);
  });

  it("records the host's inventory groups with the run (what the report filters by)", async () => {
    const r = await run(playbook('groups', undefined));
    expect(r.code, r.stderr).toBe(0);
    const store = await openSqliteStore(path.join(dir, 'fleet.db'));
    try {
      const [last] = await store.listRuns({ limit: 1 });
      expect(await store.getHostGroups(last?.id ?? 0)).toEqual(new Map([['localhost', ['dc1', 'lab']]]));
    } finally {
      await store.close();
    }
  });

  it('plays that disagree about fix are refused before anything runs, naming file and line', async () => {
    const file = path.join(dir, 'mixed.yml');
    writeFileSync(file, `- hosts: all\n  fix: true\n  tasks: []\n- hosts: all\n  tasks:\n    - copy: {dest: ${target()}, content: x}\n`);
    const r = await run(file);
    expect(r.code).toBe(1);
    expect(r.wrote).toBe(false);
    expect(r.stderr).toMatch(/mixed\.yml:4: play 2 does not set 'fix: true' but play 1 does: every play of a playbook must agree/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
