/**
 * Inputs that once crashed fleet with exit 3 (a stack trace's worth of "internal error"), one of
 * them after the run had been recorded. Each must be a one-line input error (exit 1) naming what is
 * wrong, before anything runs or is recorded.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRedactor } from '../../../src/core/redact.js';
import { openSqliteStore } from '../../../src/store/sqlite.js';
import { runMain } from '../../helpers/main-in-process.js';

let dir: string;
const file = (name: string, text: string) => {
  writeFileSync(path.join(dir, name), text);
  return path.join(dir, name);
};

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-crashing-inputs-'));
  file('hosts', '[lab]\nlocalhost ansible_connection=local\n');
  file('ok.yml', "- hosts: all\n  tasks:\n    - command: 'true'\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function runsIn(db: string): Promise<number> {
  const store = await openSqliteStore(db, { redact: makeRedactor([]) });
  try {
    return (await store.listRuns({ limit: 10 })).length;
  } finally {
    await store.close();
  }
}

let n = 0;
/** Runs fleet and checks the common promise: exit 1, one line, no trace, nothing recorded. */
async function refused(args: string[], message: RegExp): Promise<void> {
  const db = path.join(dir, `fleet-${n++}.db`);
  const r = await runMain([...args, '--db', db], { cwd: dir });
  expect(r.stderr.trim()).toMatch(message);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  expect(await runsIn(db), 'runs recorded').toBe(0);
}

describe('inputs that used to crash fleet are clean input errors before anything runs', () => {
  it('-e with an escape that is not a Unicode code point', async () => {
    await refused(
      ['run', 'ok.yml', '-i', 'hosts', '-e', 'x=\\Udeadbeef'],
      /^fleet: -e 'x=\\Udeadbeef': '\\Udeadbeef' is not a Unicode code point$/,
    );
  });

  it('an INI value nested 3,000 brackets deep', async () => {
    file('deep.ini', `[lab]\nlocalhost ansible_connection=local\n\n[lab:vars]\nv=${'['.repeat(3000)}${']'.repeat(3000)}\n`);
    await refused(['run', 'ok.yml', '-i', 'deep.ini'], /^fleet: deep\.ini:5: value of 'v' is nested more than 100 levels deep$/);
  });

  it('a YAML inventory with an alias inside its own anchor', async () => {
    file('loop.yml', 'all: &x {children: {g: *x}}\n');
    await refused(
      ['run', 'ok.yml', '-i', 'loop.yml'],
      /^fleet: loop\.yml:1: YAML alias '\*x' is used inside its own anchor '&x' \(a loop\)$/,
    );
  });

  it.each(['constructor', 'toString', '__proto__', 'valueOf', 'hasOwnProperty'])('the template {{ %s }}', async (name) => {
    file('tpl.yml', `- hosts: all\n  tasks:\n    - debug:\n        msg: "{{ ${name} }}"\n`);
    await refused(
      ['run', 'tpl.yml', '-i', 'hosts'],
      new RegExp(`^fleet: .*tpl\\.yml:4: invalid template '\\{\\{ ${name} \\}\\}': '${name}' cannot be used as a name$`),
    );
  });

  it('-e with JSON nested 5,000 levels deep, inline and as a file', async () => {
    const deep = `{"x": ${'['.repeat(5000)}${']'.repeat(5000)}}`;
    file('deep.json', deep);
    await refused(['run', 'ok.yml', '-i', 'hosts', '-e', deep], /^fleet: -e: value of 'x' is nested more than 100 levels deep$/);
    await refused(
      ['run', 'ok.yml', '-i', 'hosts', '-e', '@deep.json'],
      /^fleet: deep\.json: value of 'x' is nested more than 100 levels deep$/,
    );
  });
});
