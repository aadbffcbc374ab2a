import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, inlineRunner } from './harness.js';

const dirs: string[] = [];
afterEach(() => cleanup(...dirs.splice(0)));

const run = inlineRunner(dirs);

const CHANGE_PB = `
- hosts: all
  tasks:
    - name: probe
      command: echo hello
      check_mode: false
      register: probe
    - name: write a file
      copy:
        dest: "{{ dir }}/conf.txt"
        content: "greeting={{ probe.stdout }}\\n"
        mode: "0640"
    - name: touch with shell
      shell: echo ran > shell-ran.txt
`;

describe('read-only by default, --check, --fix', () => {
  it('default run changes nothing: changing tasks are simulated, probes run', async () => {
    const r = await run(CHANGE_PB, { hosts: ['h1'] });
    const d = r.dirs['h1'] ?? '';
    expect(existsSync(path.join(d, 'conf.txt'))).toBe(false);
    expect(existsSync(path.join(d, 'shell-ran.txt'))).toBe(false);
    const steps = r.store.stepsOf('h1');
    expect(steps.map((s) => [s.stepId, s.status])).toEqual([
      ['p1.t1', 'changed'],
      ['p1.t2', 'changed'],
      ['p1.t3', 'skipped'],
    ]);
    expect(steps[0]?.stdout).toBe('hello');
    expect(steps[1]?.message).toMatch(/^would update .*conf\.txt \(create\)/);
    expect(steps[2]?.message).toBe('would run: echo ran > shell-ran.txt');
    expect(r.result.mode).toBe('read-only');
    // "would change" steps do not make the host changed: nothing changed.
    expect(r.summary.outcomes.get('h1')).toEqual({ status: 'ok' });
  });

  it('--check changes nothing either and shows the diff with --diff', async () => {
    const r = await run(CHANGE_PB, { hosts: ['h1'], run: { mode: 'check', diff: true } });
    const d = r.dirs['h1'] ?? '';
    expect(existsSync(path.join(d, 'conf.txt'))).toBe(false);
    const copy = r.store.stepsOf('h1')[1];
    expect(copy?.stdout).toContain('+greeting=hello');
    expect(r.result.mode).toBe('check');
  });

  it('--fix applies: files written atomically with mode, commands run', async () => {
    const r = await run(CHANGE_PB, { hosts: ['h1'], run: { mode: 'fix' } });
    const d = r.dirs['h1'] ?? '';
    expect(readFileSync(path.join(d, 'conf.txt'), 'utf8')).toBe('greeting=hello\n');
    expect((statSync(path.join(d, 'conf.txt')).mode & 0o777).toString(8)).toBe('640');
    expect(readFileSync(path.join(d, 'shell-ran.txt'), 'utf8')).toBe('ran\n');
    expect(r.summary.outcomes.get('h1')?.status).toBe('changed');
    // No temp files left behind by the atomic write.
    expect(readdirSync(d).filter((f) => f.startsWith('.fleet'))).toEqual([]);
  });

  it('a second --fix run reports ok: sha256 and mode compared first, the file is not rewritten', async () => {
    const shared = mkdtempSync(path.join(os.tmpdir(), 'fleet-shared-'));
    dirs.push(shared);
    const pb = `
- hosts: all
  tasks:
    - copy: { dest: "{{ target }}", content: "x\\n", mode: "0600" }
`;
    const target = path.join(shared, 'a.txt');
    const first = await run(pb, { hosts: ['h1'], run: { mode: 'fix', extraVars: { target } } });
    expect(first.store.stepsOf('h1')[0]?.status).toBe('changed');
    const inode = statSync(target).ino;
    const second = await run(pb, { hosts: ['h1'], run: { mode: 'fix', extraVars: { target } } });
    expect(second.store.stepsOf('h1')[0]?.status).toBe('ok');
    expect(statSync(target).ino).toBe(inode);
    expect(second.summary.outcomes.get('h1')?.status).toBe('ok');
  });
});
