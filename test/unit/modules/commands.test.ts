import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commandModule } from '../../../src/modules/command.js';
import { shellModule } from '../../../src/modules/shell.js';
import { splitWords } from '../../../src/core/shell.js';
import { moduleCtx } from './ctx.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-mod-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = { loc: { file: 'pb.yml', line: 3 }, keyLoc: () => ({ file: 'pb.yml', line: 4 }) };
const command = (raw: unknown, opts = {}) => commandModule.run(moduleCtx(dir, opts), commandModule.parse(raw, at));
const shell = (raw: unknown, opts = {}) => shellModule.run(moduleCtx(dir, opts), shellModule.parse(raw, at));

describe('splitWords', () => {
  it('splits like a POSIX shell', () => {
    expect(splitWords(`ip -j link show  dev 'we ird' "a \\"b\\"" c\\ d ''`)).toEqual([
      'ip',
      '-j',
      'link',
      'show',
      'dev',
      'we ird',
      'a "b"',
      'c d',
      '',
    ]);
    expect(() => splitWords("echo 'oops")).toThrow(/unclosed single quote/);
  });
});

describe('command', () => {
  it('passes words literally: no variables, pipes or separators', async () => {
    const r = await command('echo $HOME; echo x | cat');
    expect(r).toMatchObject({ changed: true, failed: false, rc: 0, stdout: '$HOME; echo x | cat' });
  });

  it('argv, chdir, stdin, non-zero rc, stdout_lines', async () => {
    expect((await command({ argv: ['printf', '%s\\n', 'a b', 'c'] })).data?.['stdout_lines']).toEqual(['a b', 'c']);
    expect((await command({ cmd: 'pwd', chdir: '/' })).stdout).toBe('/');
    expect((await command({ cmd: 'cat', stdin: 'fed' })).stdout).toBe('fed');
    expect(await command('false')).toMatchObject({ failed: true, rc: 1, msg: 'non-zero return code 1' });
  });

  it('creates/removes skip the command; they are checked even in dry runs', async () => {
    expect(await command({ cmd: 'touch made', creates: '/' })).toMatchObject({ skipped: true, msg: 'skipped, since / exists' });
    expect(await command({ cmd: 'touch made', removes: `${dir}/nope` })).toMatchObject({ skipped: true });
    expect(await command('touch made', { dryRun: true })).toMatchObject({ skipped: true, msg: 'would run: touch made' });
  });

  it('rejects an unclosed quote at load time', () => {
    expect(() => commandModule.parse("echo 'x", at)).toThrow(/pb\.yml:4: command: unclosed single quote/);
  });
});

describe('shell', () => {
  it('runs through a shell: pipes, redirections, variables', async () => {
    const r = await shell('echo abc | tr a-z A-Z > out.txt; cat out.txt; echo $((1+2))');
    expect(r.stdout).toBe('ABC\n3');
    expect(readFileSync(path.join(dir, 'out.txt'), 'utf8')).toBe('ABC\n');
  });

  it('executable, chdir with a multi-line script, timeout', async () => {
    expect((await shell({ cmd: 'echo "$0"', executable: '/bin/sh' })).stdout).toBe('/bin/sh');
    expect((await shell({ cmd: 'pwd\necho second', chdir: '/tmp' })).stdout).toBe('/tmp\nsecond');
    expect((await shell({ cmd: 'cd /nonexistent-dir-x', chdir: '/nonexistent-dir' })).failed).toBe(true);
  });
});
