import { describe, expect, it } from 'vitest';
import { gather, splitSections } from '../../../src/facts/sections.js';

const N = '0b1c2d3e-0000-4000-8000-000000000001';
const out = (...lines: string[]) => lines.join('\n');

describe('splitSections', () => {
  it('splits stdout and stderr around the rc line and strips the marker newline', () => {
    const s = splitSections(
      out(
        `@@FLEET@@ ${N} begin v1`,
        '',
        `@@FLEET@@ ${N} links`,
        '[{"ifname":"lo"}]',
        '',
        `@@RC@@ ${N} 0`,
        '',
        `@@FLEET@@ ${N} nft`,
        '',
        `@@RC@@ ${N} 127`,
        'timeout: failed to run command nft: No such file or directory',
        '',
        `@@FLEET@@ ${N} end`,
      ),
    );
    expect(s.nonce).toBe(N);
    expect(s.version).toBe('v1');
    expect(s.complete).toBe(true);
    expect(s.sections.get('links')).toEqual({ name: 'links', rc: 0, stdout: '[{"ifname":"lo"}]', stderr: '' });
    expect(s.sections.get('nft')?.rc).toBe(127);
    expect(s.sections.get('nft')?.stderr).toContain('No such file');
  });

  it('ignores markers that do not carry the run nonce (host content cannot forge a section)', () => {
    const s = splitSections(
      out(
        `@@FLEET@@ ${N} begin v1`,
        `@@FLEET@@ ${N} ifupdown`,
        '@@FLEET@@ 00000000-0000-0000-0000-000000000000 links',
        '@@RC@@ guessed 0',
        '[{"ifname":"evil"}]',
        `@@RC@@ ${N} 0`,
        `@@FLEET@@ ${N} end`,
      ),
    );
    expect([...s.sections.keys()]).toEqual(['ifupdown']);
    expect(s.sections.get('ifupdown')?.stdout).toContain('[{"ifname":"evil"}]');
  });

  it('skips a login banner before the header and notices a cut-off output', () => {
    const s = splitSections(out('Welcome to hv01', `@@FLEET@@ ${N} begin v1`, `@@FLEET@@ ${N} links`, '[{"ifname":"lo"'));
    expect(s.complete).toBe(false);
    expect(s.sections.get('links')?.rc).toBeNull();
  });

  it('reports output without a header', () => {
    const s = splitSections('sh: 1: fleet: not found\n');
    expect(s.nonce).toBeNull();
    expect(s.firstLine).toBe('sh: 1: fleet: not found');
  });
});

describe('gather', () => {
  const split = splitSections(
    out(
      `@@FLEET@@ ${N} begin v1`,
      `@@FLEET@@ ${N} good`,
      '42',
      `@@RC@@ ${N} 0`,
      `@@FLEET@@ ${N} absent`,
      `@@RC@@ ${N} 127`,
      'sh: 1: nft: not found',
      `@@FLEET@@ ${N} slow`,
      `@@RC@@ ${N} 124`,
      `@@FLEET@@ ${N} bad`,
      `@@RC@@ ${N} 1`,
      'error: failed to connect to the hypervisor',
      `@@FLEET@@ ${N} grep`,
      `@@RC@@ ${N} 1`,
      `@@FLEET@@ ${N} end`,
    ),
  );
  const num = (s: string) => {
    if (!/^\d+$/.test(s)) throw new Error(`not a number: ${s}`);
    return Number(s);
  };

  it('parses a good section', () => {
    expect(gather(split, 'good', num)).toEqual({ ok: true, value: 42 });
  });

  it('maps each failure to an explicit cause with a one-line reason', () => {
    expect(gather(split, 'absent', num)).toMatchObject({
      ok: false,
      cause: 'not-installed',
      reason: 'absent: command not found (sh: 1: nft: not found)',
    });
    expect(gather(split, 'slow', num)).toMatchObject({ ok: false, cause: 'timeout' });
    expect(gather(split, 'bad', num)).toMatchObject({
      ok: false,
      cause: 'failed',
      reason: 'bad: exit 1: error: failed to connect to the hypervisor',
    });
    expect(gather(split, 'nowhere', num)).toMatchObject({
      ok: false,
      cause: 'missing',
      reason: 'nowhere: section missing from facts output',
    });
    expect(gather(split, 'grep', num)).toMatchObject({ ok: false, cause: 'failed' });
  });

  it('accepts extra exit codes where the tool uses them for "nothing found"', () => {
    expect(gather(split, 'grep', () => 'none', { okRcs: [0, 1] })).toEqual({ ok: true, value: 'none' });
  });

  it('turns a parser exception into an unparseable fact instead of throwing', () => {
    const g = gather(split, 'good', () => {
      throw new Error('boom\nsecond line');
    });
    expect(g).toEqual({ ok: false, cause: 'unparseable', reason: 'good: unparseable output: boom' });
  });
});

describe('splitSections() on hostile sizes', () => {
  // Its memory bound (no array of 16 M lines) is measured end to end by test/integration/security/hostile-hosts.test.ts.
  it('a section of 16 M empty lines is split whole, and the next section is intact', () => {
    const raw = `@@FLEET@@ ${N} begin v1\n@@FLEET@@ ${N} huge\n${'\n'.repeat(16 * 1024 * 1024)}\n@@RC@@ ${N} 0\n@@FLEET@@ ${N} after\nok\r\n@@RC@@ ${N} 0\nwarn\r\n@@FLEET@@ ${N} end\n`;
    const split = splitSections(raw);
    expect(split.complete).toBe(true);
    expect(split.sections.get('huge')?.stdout.length).toBe(16 * 1024 * 1024 - 1);
    expect(split.sections.get('after')).toEqual({ name: 'after', rc: 0, stdout: 'ok', stderr: 'warn' });
  });
});
