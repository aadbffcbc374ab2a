import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { copyModule } from '../../../src/modules/copy.js';
import { editSysctlFile, sysctlModule } from '../../../src/modules/sysctl.js';
import { templateModule } from '../../../src/modules/template.js';
import { moduleCtx } from './ctx.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'fleet-files-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dir = '';
let n = 0;
beforeEach(() => {
  dir = path.join(root, `t${n++}`);
  mkdirSync(dir);
});
const at = { loc: { file: 'pb.yml', line: 3 }, keyLoc: () => ({ file: 'pb.yml', line: 4 }) };
const modeOf = (f: string) => (statSync(f).mode & 0o7777).toString(8);

describe('copy', () => {
  const copy = (args: Record<string, unknown>, opts = {}) => copyModule.run(moduleCtx(dir, opts), copyModule.parse(args, at));

  it('creates with the umask mode, then reports ok when nothing differs', async () => {
    const dest = path.join(dir, 'a.conf');
    expect(await copy({ dest, content: 'x=1\n' })).toMatchObject({ changed: true, msg: `updated ${dest} (create)` });
    expect(readFileSync(dest, 'utf8')).toBe('x=1\n');
    expect(modeOf(dest)).toBe((0o666 & ~process.umask()).toString(8));
    expect(await copy({ dest, content: 'x=1\n' })).toMatchObject({ changed: false, msg: `${dest} is up to date` });
  });

  it('changes only the mode when only the mode differs (file not rewritten)', async () => {
    const dest = path.join(dir, 'b');
    writeFileSync(dest, 'same');
    const ino = statSync(dest).ino;
    expect(await copy({ dest, content: 'same', mode: '0600' })).toMatchObject({
      changed: true,
      msg: expect.stringContaining('mode 644 → 600'),
    });
    expect(modeOf(dest)).toBe('600');
    expect(statSync(dest).ino).toBe(ino);
  });

  it('keeps the old mode on a content change; backup keeps the old file', async () => {
    const dest = path.join(dir, 'c');
    writeFileSync(dest, 'old\n', { mode: 0o640 });
    const r = await copy({ dest, content: 'new\n', backup: true });
    expect(modeOf(dest)).toBe('640');
    const backup = String(r.data?.['backup_file']);
    expect(readFileSync(backup, 'utf8')).toBe('old\n');
    expect(path.dirname(backup)).toBe(dir);
  });

  it('dry run and --diff: nothing written, a unified diff shown', async () => {
    const dest = path.join(dir, 'd');
    writeFileSync(dest, 'a\nb\n');
    const r = await copy({ dest, content: 'a\nc\n' }, { dryRun: true, diff: true });
    expect(r).toMatchObject({ changed: true, msg: `would update ${dest} (content)` });
    expect(r.diff).toContain('-b\n+c');
    expect(readFileSync(dest, 'utf8')).toBe('a\nb\n');
  });

  it('src from files/, force: false, binary content, not-a-file dest', async () => {
    mkdirSync(path.join(dir, 'files'));
    const bin = Buffer.from([0, 1, 2, 255, 10]);
    writeFileSync(path.join(dir, 'files', 'blob'), bin);
    const dest = path.join(dir, 'blob.out');
    await copyModule.run(moduleCtx(dir, { playbookDir: dir }), { src: 'blob', dest });
    expect(readFileSync(dest).equals(bin)).toBe(true);
    expect(await copy({ dest, content: 'other', force: false })).toMatchObject({ changed: false });
    expect(await copy({ dest: dir, content: 'x' })).toMatchObject({ failed: true, msg: `${dir} exists and is not a regular file` });
  });

  it('validate runs on the temp file (%s); a failure leaves dest untouched and no temp file', async () => {
    const dest = path.join(dir, 'v');
    writeFileSync(dest, 'good\n');
    const bad = await copy({ dest, content: 'bad\n', validate: 'grep -q good %s' });
    expect(bad).toMatchObject({ failed: true, msg: expect.stringContaining('validation failed: grep -q good %s') });
    expect(readFileSync(dest, 'utf8')).toBe('good\n');
    expect(readdirSync(dir)).toEqual(['v']);
    expect(await copy({ dest, content: 'good too\n', validate: 'grep -q good %s' })).toMatchObject({ changed: true });
  });

  it('rejects relative destinations and symbolic or numeric modes', async () => {
    await expect(copy({ dest: 'rel', content: 'x' })).rejects.toThrow(/dest must be an absolute path/);
    expect(() => copyModule.parse({ dest: '/x', content: 'y', mode: 'u=rw' }, at)).toThrow(/mode must be an octal string/);
    expect(() => copyModule.parse({ dest: '/x', content: 'y', validate: 'visudo -c' }, at)).toThrow(/validate must contain %s/);
  });
});

describe('template', () => {
  it('renders from templates/ with the task vars, validates, writes', async () => {
    mkdirSync(path.join(dir, 'templates'));
    writeFileSync(path.join(dir, 'templates', 'br.j2'), 'auto {{ bridge }}\n{% for p in ports %}\nport {{ p }}\n{% endfor %}\n');
    const dest = path.join(dir, 'br.conf');
    const ctx = moduleCtx(dir, { playbookDir: dir, vars: { bridge: 'br0', ports: ['eth0'] } });
    const r = await templateModule.run(ctx, { src: 'br.j2', dest, validate: 'grep -q "auto br0" %s' });
    expect(r.changed).toBe(true);
    expect(readFileSync(dest, 'utf8')).toBe('auto br0\nport eth0\n');
  });

  it('an undefined variable fails the task naming the template line; nothing is written', async () => {
    mkdirSync(path.join(dir, 'templates'));
    writeFileSync(path.join(dir, 'templates', 'u.j2'), 'ok\n{{ missing }}\n');
    const dest = path.join(dir, 'u.conf');
    await expect(templateModule.run(moduleCtx(dir, { playbookDir: dir }), { src: 'u.j2', dest })).rejects.toThrow(
      `${path.join(dir, 'templates', 'u.j2')}:2: 'missing' is undefined`,
    );
    expect(existsSync(dest)).toBe(false);
  });
});

describe('sysctl', () => {
  it('editSysctlFile replaces, de-duplicates, appends and removes', () => {
    expect(editSysctlFile('', 'net.ipv4.ip_forward', '1')).toBe('net.ipv4.ip_forward = 1\n');
    expect(editSysctlFile('# c\nnet/ipv4/ip_forward=0\nx = 2\nnet.ipv4.ip_forward = 0\n', 'net.ipv4.ip_forward', '1')).toBe(
      '# c\nnet.ipv4.ip_forward = 1\nx = 2\n',
    );
    expect(editSysctlFile('a = 1\nb = 2\n', 'a', undefined)).toBe('b = 2\n');
    expect(editSysctlFile('-a = 1\n', 'a', '3')).toBe('a = 3\n');
  });

  const sysctl = (args: Record<string, unknown>, opts = {}) => sysctlModule.run(moduleCtx(dir, opts), sysctlModule.parse(args, at));

  it('persists to sysctl_file; idempotent; dry run writes nothing; absent removes', async () => {
    const file = path.join(dir, '99-fleet.conf');
    const args = { name: 'net.ipv4.conf.all.rp_filter', value: 2, sysctl_file: file, reload: false };
    expect(await sysctl(args, { dryRun: true, diff: true })).toMatchObject({
      changed: true,
      diff: expect.stringContaining('+net.ipv4.conf.all.rp_filter = 2'),
    });
    expect(existsSync(file)).toBe(false);
    expect(await sysctl(args)).toMatchObject({ changed: true });
    expect(readFileSync(file, 'utf8')).toBe('net.ipv4.conf.all.rp_filter = 2\n');
    expect(await sysctl(args)).toMatchObject({ changed: false });
    expect(await sysctl({ ...args, state: 'absent', value: undefined })).toMatchObject({ changed: true });
    expect(readFileSync(file, 'utf8')).toBe('');
  });

  it('sysctl_set compares the running value (read-only in a dry run)', async () => {
    const current = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim();
    const other = current === '1' ? '0' : '1';
    const file = path.join(dir, 's.conf');
    writeFileSync(file, `net.ipv4.ip_forward = ${other}\n`);
    const r = await sysctl({ name: 'net.ipv4.ip_forward', value: other, sysctl_set: true, sysctl_file: file }, { dryRun: true });
    expect(r).toMatchObject({ changed: true, msg: `would set net.ipv4.ip_forward = ${other} (running value ${current} → ${other})` });
    expect(readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim()).toBe(current);
  });

  it('needs a value for state present', () => {
    expect(() => sysctlModule.parse({ name: 'x' }, at)).toThrow(/'value' is required/);
  });
});
