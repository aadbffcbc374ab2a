import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { ProgressObserver } from '../../../src/output/progress.js';

function capture() {
  const s = new PassThrough();
  let out = '';
  s.on('data', (d) => (out += String(d)));
  return { s, text: () => out };
}

describe('ProgressObserver', () => {
  it('prints one plain line per host when not on a TTY', () => {
    const c = capture();
    const p = new ProgressObserver({ stream: c.s, tty: false });
    p.onRunStart({ runId: 3, playbook: 'exec', hosts: ['a', 'b'] });
    p.onHostDone('a', { status: 'ok' });
    p.onHostDone('b', { status: 'unreachable', reason: 'connection refused' });
    p.onRunEnd();
    expect(c.text()).toBe('fleet: run 3 exec on 2 host(s)\n[1/2] ok          a\n[2/2] unreachable b: connection refused\n');
  });

  it('redraws one status line in place on a TTY, with counts and ETA', () => {
    const c = capture();
    let t = 0;
    const p = new ProgressObserver({ stream: c.s, tty: true, now: () => t });
    p.onRunStart({ runId: 1, playbook: 'x', hosts: ['a', 'b', 'c', 'd'] });
    t = 2000;
    p.onHostDone('a', { status: 'ok' });
    expect(p.line()).toBe('hosts 1/4  ok 1  failed 0  unreachable 0  elapsed 2.0s eta 6.0s');
    p.onHostDone('b', { status: 'failed', reason: 'bad\x1b[31m' });
    p.onRunEnd();
    expect(c.text()).toContain('\r\x1b[2K');
    // The failure gets a permanent line, with the host's escape sequence neutralised.
    expect(c.text()).toContain('FAILED      b: bad\\x1b[31m\n');
  });
});
