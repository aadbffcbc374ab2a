/**
 * `report -o` and `export -o` write through a private temporary file in the target's directory, then
 * rename it over the target. So they must refuse targets that are not regular files (a rename would
 * turn a FIFO, a device or a symlink into a plain file), and create files 0600 like the DB holding
 * the same data, whatever the umask, unless --mode says otherwise.
 */
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-harness.js';
import { buildScenario, type Scenario } from './scenario.js';

const dir = mkdtempSync(join(tmpdir(), 'fleet-report-out-'));
let s: Scenario;
let umask: number;
beforeAll(async () => {
  s = await buildScenario(dir);
  umask = process.umask(0o022);
});
afterAll(() => {
  process.umask(umask);
  rmSync(dir, { recursive: true, force: true });
});

const commands: Record<string, (out: string, ...extra: string[]) => string[]> = {
  report: (out, ...extra) => ['report', '--db', s.db, '-o', out, ...extra],
  export: (out, ...extra) => ['export', 'last', '--format', 'csv', '--db', s.db, '-o', out, ...extra],
};

describe.each(Object.keys(commands))('fleet %s -o', (name) => {
  const args = commands[name]!;
  const place = (what: string) => {
    const d = join(dir, `${name}-${what}`);
    mkdirSync(d);
    return d;
  };

  it('refuses a FIFO, a device, a symlink and a directory, and leaves each as it was', async () => {
    const d = place('special');
    const fifo = join(d, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const dev = join(d, 'null');
    execFileSync('mknod', [dev, 'c', '1', '3']); // a second /dev/null
    const real = join(d, 'real.txt');
    writeFileSync(real, 'keep me\n');
    const link = join(d, 'link');
    symlinkSync(real, link);
    const sub = join(d, 'sub');
    mkdirSync(sub);
    for (const [target, kind] of [
      [fifo, 'a FIFO'],
      [dev, 'a character device'],
      [link, 'a symbolic link'],
      [sub, 'a directory'],
    ] as const) {
      const r = await runCli(args(target), dir);
      expect(r.code, target).toBe(1);
      expect(r.stderr).toBe(`fleet: refusing to write ${target}: it is ${kind}, not a regular file (use -o - for stdout)\n`);
    }
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(lstatSync(dev).isCharacterDevice()).toBe(true);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toBe('keep me\n');
    expect(readdirSync(d).sort()).toEqual(['fifo', 'link', 'null', 'real.txt', 'sub']);
  });

  it('creates the file 0600 under umask 022, replaces an existing 0644 one with 0600, and leaves no temporary file', async () => {
    const d = place('mode');
    const out = join(d, 'out');
    expect((await runCli(args(out), dir)).code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    writeFileSync(out, 'old', { mode: 0o644 });
    expect((await runCli(args(out), dir)).code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readFileSync(out, 'utf8')).not.toBe('old');
    expect(readdirSync(d)).toEqual(['out']);
  });

  it('--mode sets another mode (a report for a web server), even under umask 077; a bad mode is refused', async () => {
    const d = place('explicit');
    const out = join(d, 'out');
    process.umask(0o077);
    try {
      expect((await runCli(args(out, '--mode', '0644'), dir)).code).toBe(0);
    } finally {
      process.umask(0o022);
    }
    expect(statSync(out).mode & 0o777).toBe(0o644);
    const bad = await runCli(args(join(d, 'bad'), '--mode', 'rw-r--r--'), dir);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe("fleet: --mode must be an octal file mode such as 0600 or 0644, not 'rw-r--r--'\n");
    expect(readdirSync(d)).toEqual(['out']);
  });
});
