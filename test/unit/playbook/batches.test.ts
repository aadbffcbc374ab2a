import { afterEach, describe, expect, it } from 'vitest';
import { maxFailExceeded } from '../../../src/playbook/failure-policy.js';
import { batchSize, serialBatches } from '../../../src/playbook/serial.js';
import { tagSelected } from '../../../src/playbook/tags.js';
import { cleanup, inlineRunner } from './harness.js';

const dirs: string[] = [];
afterEach(() => cleanup(...dirs.splice(0)));

const run = inlineRunner(dirs);

const hosts = (n: number) => Array.from({ length: n }, (_, i) => `h${i + 1}`);
const sizes = (n: number, serial: Parameters<typeof serialBatches>[1]) => serialBatches(hosts(n), serial).map((b) => b.length);

describe('serial batches', () => {
  it('numbers, percentages (rounded down, at least 1), ramps whose last step repeats', () => {
    expect(sizes(5, undefined)).toEqual([5]);
    expect(sizes(5, [0])).toEqual([5]);
    expect(sizes(5, [2])).toEqual([2, 2, 1]);
    expect(sizes(10, ['30%'])).toEqual([3, 3, 3, 1]);
    expect(sizes(3, ['10%'])).toEqual([1, 1, 1]);
    expect(sizes(20, [1, 5, '20%'])).toEqual([1, 5, 4, 4, 4, 2]);
    expect(sizes(2, [1, 5, '20%'])).toEqual([1, 1]);
    expect(sizes(0, [1])).toEqual([]);
    expect(serialBatches(hosts(4), [1, 2]).map((b) => b.join(','))).toEqual(['h1', 'h2,h3', 'h4']);
    expect(batchSize('12.5%', 16)).toBe(2);
  });
});

describe('max_fail_percentage', () => {
  const t = (batchFailed: number, batchSize: number, playFailed: number, playTotal: number) => ({
    batch: 2,
    batchFailed,
    batchSize,
    playFailed,
    playTotal,
  });
  it('is exceeded when strictly more than the percentage failed, in the batch or in the play so far', () => {
    expect(maxFailExceeded(50, t(1, 2, 1, 2), true)).toBeUndefined();
    expect(maxFailExceeded(49, t(1, 2, 1, 2), true)).toBe('max_fail_percentage 49% exceeded: 1 of 2 hosts failed in batch 2');
    expect(maxFailExceeded(30, t(0, 5, 4, 10), true)).toBe('max_fail_percentage 30% exceeded: 4 of 10 hosts failed so far');
    expect(maxFailExceeded(0, t(1, 10, 1, 10), true)).toMatch(/exceeded/);
    // 100 means never stop, even when a whole batch failed (ansible#82267).
    expect(maxFailExceeded(100, t(3, 3, 3, 3), true)).toBeUndefined();
  });
  it('without it, a serial batch where every host failed stops the play', () => {
    expect(maxFailExceeded(undefined, t(2, 2, 2, 4), true)).toBe('every host of serial batch 2 failed (2/2)');
    expect(maxFailExceeded(undefined, t(1, 2, 1, 4), true)).toBeUndefined();
    expect(maxFailExceeded(undefined, t(2, 2, 2, 2), false)).toBeUndefined();
  });
});

describe('tag selection', () => {
  it('follows Ansible rules', () => {
    const f = (tags: string[], skipTags: string[] = []) => ({ tags, skipTags });
    expect(tagSelected([], f([]))).toBe(true);
    expect(tagSelected([], f(['x']))).toBe(false);
    expect(tagSelected([], f(['untagged']))).toBe(true);
    expect(tagSelected(['a'], f(['tagged']))).toBe(true);
    expect(tagSelected(['never'], f([]))).toBe(false);
    expect(tagSelected(['never'], f(['never']))).toBe(true);
    expect(tagSelected(['always'], f(['x']))).toBe(true);
    expect(tagSelected(['always'], f(['x'], ['always']))).toBe(false);
    expect(tagSelected(['a', 'b'], f([], ['b']))).toBe(false);
  });
});

describe('running batches', () => {
  const FAIL_ODD = `
- hosts: all
  serial: [2, 4]
  max_fail_percentage: 40
  tasks:
    - fail: { msg: odd host }
      when: (inventory_hostname | regex_replace('h', '') | int) is odd and (inventory_hostname | regex_replace('h', '') | int) > 2
    - debug: { msg: done }
`;

  it('batches run one after another; crossing max_fail_percentage stops the run and skips the rest', async () => {
    const r = await run(FAIL_ODD, { hosts: hosts(8), forks: 8 });
    const out = Object.fromEntries([...r.summary.outcomes].map(([h, o]) => [h, o.status]));
    expect(out).toEqual({ h1: 'ok', h2: 'ok', h3: 'failed', h4: 'ok', h5: 'failed', h6: 'ok', h7: 'skipped', h8: 'skipped' });
    // Batch 2 (h3-h6): 2 of 4 = 50% > 40%.
    expect(r.summary.stoppedReason).toBe('max_fail_percentage 40% exceeded: 2 of 4 hosts failed in batch 2');
    expect(r.summary.status).toBe('failed');
    expect(r.summary.outcomes.get('h7')?.reason).toBe('not run: max_fail_percentage 40% exceeded: 2 of 4 hosts failed in batch 2');
    // Batches ran one after another: nothing of batch 2 started before batch 1 ended.
    const firstStart = (h: string) => r.store.stepsOf(h)[0]?.startedAt ?? 0;
    const lastEnd = (h: string) => Math.max(...r.store.stepsOf(h).map((s) => s.startedAt + s.durationMs));
    expect(Math.min(...['h3', 'h4', 'h5', 'h6'].map(firstStart))).toBeGreaterThanOrEqual(Math.max(lastEnd('h1'), lastEnd('h2')));
    expect(r.json.status).toBe('failed');
    expect(r.json.hosts['h7']?.reason).toBe(`not run: ${r.summary.stoppedReason}`);
  });

  it('hosts of a batch progress independently (free strategy): a slow host does not hold the others', async () => {
    const r = await run(
      `
- hosts: all
  tasks:
    - shell: "{{ 'sleep 0.6' if inventory_hostname == 'h1' else 'true' }}"
      check_mode: false
    - shell: date +%s%N
      check_mode: false
      register: t
`,
      { hosts: hosts(2), forks: 2 },
    );
    const end = (h: string) => Number(r.store.stepsOf(h)[1]?.stdout) / 1e6;
    expect(end('h1') - end('h2')).toBeGreaterThan(400);
  });

  it('any_errors_fatal stops the other hosts before their next task and skips the rest of the run', async () => {
    const r = await run(
      `
- hosts: all
  any_errors_fatal: true
  serial: 2
  tasks:
    - fail: {}
      when: inventory_hostname == 'h1'
    - shell: sleep 0.3
      check_mode: false
    - debug: { msg: second }
`,
      { hosts: hosts(4), forks: 2 },
    );
    const out = Object.fromEntries([...r.summary.outcomes].map(([h, o]) => [h, o.status]));
    expect(out).toEqual({ h1: 'failed', h2: 'failed', h3: 'skipped', h4: 'skipped' });
    expect(r.summary.outcomes.get('h2')?.reason).toBe('stopped: any_errors_fatal after h1 failed');
    expect(r.store.stepsOf('h2').map((s) => s.message ?? '')).not.toContain('second');
    expect(r.summary.stoppedReason).toBe("any_errors_fatal: h1 failed in play 'play 1 (all)'");
  });

  it('failed and unreachable hosts leave later plays; a check finding does not', async () => {
    const r = await run(
      `
- hosts: all
  tasks:
    - fail: {}
      when: inventory_hostname == 'h1'
    - check: file.present
- hosts: all
  tasks:
    - debug: { msg: play2 }
`,
      { hosts: hosts(3), unreachable: ['h3'] },
    );
    expect(r.store.stepsOf('h1').map((s) => s.message)).not.toContain('play2');
    expect(r.store.stepsOf('h2').at(-1)?.message).toBe('play2');
    expect(r.summary.outcomes.get('h2')?.status).toBe('failed');
    expect(r.summary.outcomes.get('h3')?.status).toBe('unreachable');
  });

  it('an interrupt stops hosts before their next task', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 150);
    const r = await run(
      `
- hosts: all
  tasks:
    - shell: sleep 0.4
      check_mode: false
    - debug: { msg: after }
`,
      { hosts: hosts(2), signal: ac.signal },
    );
    expect(r.summary.status).toBe('interrupted');
    expect(r.store.steps.map((s) => s.step.message)).not.toContain('after');
    expect(r.summary.outcomes.get('h1')).toEqual({ status: 'failed', reason: "interrupted before 'debug: after'" });
  });
});
