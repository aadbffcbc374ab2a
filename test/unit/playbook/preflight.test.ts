/** A play's preflight: every host's declared input is checked before the first batch touches anything. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, inlineRunner } from './harness.js';

const dirs: string[] = [];
afterEach(() => cleanup(...dirs.splice(0)));

const run = inlineRunner(dirs);

// A marker file comes first, so a host that started the play leaves a trace.
const PB = `
- hosts: all
  serial: [1, 5]
  tasks:
    - name: bridge to declared state
      bridge_apply: {tx_dir: /nonexistent}
    - name: after
      copy: {dest: "{{ dir }}/touched", content: x}
`;
const good = { bridge: 'br0', uplink: 'eth0', address: '198.18.0.2/24' };
const HOSTS = { h1: good, h2: good, h3: { bridge: 'br0', uplink: 'eth0', address: '198.18.0.9/33' }, h4: { bridge: 'br0' } };

describe('preflight of a play', () => {
  it('with --fix: hosts with invalid input fail with the reason, every other host is skipped, none is started', async () => {
    const r = await run(PB, { hosts: HOSTS, run: { mode: 'fix' } });
    const status = Object.fromEntries([...r.summary.outcomes].map(([h, o]) => [h, o.status]));
    expect(status).toEqual({ h1: 'skipped', h2: 'skipped', h3: 'failed', h4: 'failed' });
    expect(r.summary.outcomes.get('h3')?.reason).toBe(
      `invalid input: task 'bridge to declared state': host h3: bridge var 'address' has prefix length out of range 1-32 (got "198.18.0.9/33")`,
    );
    expect(r.summary.outcomes.get('h4')?.reason).toMatch(
      /^invalid input: task 'bridge to declared state': host h4: bridge var 'uplink' is required/,
    );
    expect(r.summary.outcomes.get('h1')?.reason).toMatch(
      /^not run: invalid input on 2 host\(s\) of play .* \(first: h3: .*\); the play did not start on any host$/,
    );
    expect(r.summary.status).toBe('failed');
    // No host ran a single task (no connection was used either: nothing in the store).
    for (const h of ['h1', 'h2', 'h3', 'h4']) expect(existsSync(path.join(r.dirs[h] ?? '', 'touched'))).toBe(false);
    expect(r.store.stepsOf('h1')).toEqual([]);
  });

  it('in a preview (--check) the invalid hosts fail and the others are still shown', async () => {
    const r = await run(PB, { hosts: HOSTS, run: { mode: 'check' } });
    expect(r.summary.outcomes.get('h3')?.status).toBe('failed');
    expect(r.summary.outcomes.get('h4')?.status).toBe('failed');
    // h1 and h2 got past preflight: their bridge_apply ran (and failed on this machine without br0/eth0 under the test transport).
    expect(r.store.stepsOf('h1').map((s) => s.name)).toContain('bridge to declared state');
  });

  it('leaves args that need the run (undefined at preflight) to the task', async () => {
    const pb = PB.replace('bridge_apply: {tx_dir: /nonexistent}', 'bridge_apply: {tx_dir: /nonexistent, uplink: "{{ probe.stdout }}"}');
    const r = await run(pb, { hosts: { h1: { bridge: 'br0' } }, run: { mode: 'fix' } });
    expect(r.summary.outcomes.get('h1')?.reason ?? '').not.toMatch(/invalid input/);
  });
});
