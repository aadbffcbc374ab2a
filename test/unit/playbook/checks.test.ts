import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, inlineRunner } from './harness.js';
import { testCatalog } from './test-catalog.js';
import { SETTLE } from '../../../src/playbook/fixes.js';

const dirs: string[] = [];
afterEach(() => cleanup(...dirs.splice(0)));

const run = inlineRunner(dirs);

const checksOf = (r: Awaited<ReturnType<typeof run>>, host = 'h1') =>
  r.store.checks.filter((c) => c.host === host).map((c) => [c.check.id, c.check.status, c.fixStatus] as const);

const HEALTH = `
- hosts: all
  tasks:
    - check: file.present
    - check: file.absent
    - check: file.info
`;

describe('built-in checks', () => {
  it('evaluate on facts gathered ONCE per host; results recorded as checks and as steps', async () => {
    const r = await run(HEALTH, {
      hosts: ['h1', 'h2'],
      hostFiles: (h): Record<string, string> => (h === 'h1' ? { wanted: '', unwanted: '' } : {}),
    });
    expect(r.catalog.factsRuns).toBe(2);
    expect(r.store.facts.map((f) => f.host).sort()).toEqual(['h1', 'h2']);
    expect(checksOf(r, 'h1')).toEqual([
      ['file.present', 'pass', null],
      ['file.absent', 'warn', null],
      ['file.info', 'fail', null],
    ]);
    expect(r.store.stepsOf('h1').map((s) => [s.stepId, s.status])).toEqual([
      ['facts', 'ok'],
      ['file.present', 'ok'],
      ['file.absent', 'ok'],
      ['file.info', 'failed'],
    ]);
    // warn and an info-severity failure do not fail a host; a high-severity failure does.
    expect(r.summary.outcomes.get('h1')).toEqual({ status: 'ok' });
    expect(r.summary.outcomes.get('h2')).toEqual({ status: 'failed', reason: 'check file.present fail: wanted missing' });
  });

  it('read-only: a failed check with a fix is only reported; nothing changes', async () => {
    const r = await run(HEALTH, { hosts: ['h1'] });
    expect(existsSync(path.join(r.dirs['h1'] ?? '', 'wanted'))).toBe(false);
    expect(checksOf(r)[0]).toEqual(['file.present', 'fail', null]);
    expect(r.store.stepsOf('h1').map((s) => s.stepId)).not.toContain('file.present:fix');
  });

  it('--check: reports what the fix WOULD do and records would-fix; nothing changes', async () => {
    const r = await run(HEALTH, { hosts: ['h1'], run: { mode: 'check' } });
    expect(existsSync(path.join(r.dirs['h1'] ?? '', 'wanted'))).toBe(false);
    expect(checksOf(r)[2]).toEqual(['file.present', 'fail', 'would-fix']);
    const fix = r.store.stepsOf('h1').find((s) => s.stepId === 'file.present:fix');
    expect(fix).toMatchObject({ status: 'changed', stdout: 'touch wanted', message: 'would fix: create wanted' });
    expect(r.catalog.factsRuns).toBe(1);
  });

  it('--fix: runs the fix, gathers facts again once, re-checks and records fixed', async () => {
    const r = await run(HEALTH, { hosts: ['h1'], run: { mode: 'fix' } });
    expect(existsSync(path.join(r.dirs['h1'] ?? '', 'wanted'))).toBe(true);
    expect(r.catalog.factsRuns).toBe(2);
    const final = r.store.checks.find((c) => c.check.id === 'file.present');
    expect(final).toMatchObject({ fixStatus: 'fixed', check: { status: 'pass', message: 'fixed (was: wanted missing)' } });
    expect(r.store.stepsOf('h1').map((s) => [s.stepId, s.status])).toEqual([
      ['facts', 'ok'],
      ['file.present', 'failed'],
      ['file.absent', 'ok'],
      ['file.info', 'failed'],
      ['file.present:fix', 'changed'],
      ['facts', 'ok'],
      ['file.present:verify', 'ok'],
    ]);
    expect(r.summary.outcomes.get('h1')).toEqual({ status: 'changed' });
    expect(r.json.hosts['h1']?.checks['file.present']).toEqual({
      status: 'pass',
      severity: 'high',
      message: 'fixed (was: wanted missing)',
      fix_status: 'fixed',
    });
  });

  it('--fix: a failing fix is fix-failed, a fix that does not help is still-failing; both fail the host', async () => {
    const broken = await run(HEALTH, { hosts: { h1: { fix_id: 'file.broken' } }, run: { mode: 'fix' } });
    expect(existsSync(path.join(broken.dirs['h1'] ?? '', 'never'))).toBe(false);
    expect(broken.store.checks.find((c) => c.check.id === 'file.present')?.fixStatus).toBe('fix-failed');
    expect(broken.store.stepsOf('h1').find((s) => s.stepId === 'file.present:fix')).toMatchObject({
      status: 'failed',
      rc: 1,
      stdout: 'trying',
    });
    expect(broken.summary.outcomes.get('h1')?.status).toBe('failed');

    const noop = await run(HEALTH, { hosts: { h1: { fix_id: 'file.noop' } }, run: { mode: 'fix' } });
    expect(noop.store.checks.find((c) => c.check.id === 'file.present')?.fixStatus).toBe('still-failing');
    expect(noop.summary.outcomes.get('h1')).toEqual({
      status: 'failed',
      reason: 'check file.present still-failing after --fix: wanted missing',
    });
  });

  it('--fix: checks without a fix are evaluated again on the fresh facts, and recorded once', async () => {
    const pb = '- hosts: all\n  tasks:\n    - check: file.present\n    - check: file.mirror\n';
    const r = await run(pb, { hosts: ['h1'], run: { mode: 'fix' } });
    // file.mirror had no fix, but file.present's fix resolved it: the run records the host as it is now.
    expect(r.store.checks.filter((c) => c.check.id === 'file.mirror')).toEqual([
      expect.objectContaining({
        fixStatus: null,
        check: expect.objectContaining({ status: 'pass', message: 'resolved by the fixes above (was: mirror sees no wanted)' }),
      }),
    ]);
    expect(r.summary.outcomes.get('h1')).toEqual({ status: 'changed' });
    // Without any fix on the host, nothing is gathered again and the result stays as it was.
    const ro = await run('- hosts: all\n  tasks:\n    - check: file.mirror\n', { hosts: ['h1'], run: { mode: 'fix' } });
    expect(ro.catalog.factsRuns).toBe(1);
    expect(checksOf(ro)).toEqual([['file.mirror', 'fail', null]]);
  });

  it('--fix: facts are gathered again (bounded) while a fixed check has not settled yet', async () => {
    const r = await run('- hosts: all\n  tasks:\n    - check: file.settles\n', { hosts: ['h1'], run: { mode: 'fix' } });
    expect(checksOf(r)).toEqual([['file.settles', 'pass', 'fixed']]);
    // One gather before, then at least two after the fix (the first came too early), at most SETTLE.attempts.
    expect(r.catalog.factsRuns).toBeGreaterThanOrEqual(3);
    expect(r.catalog.factsRuns).toBeLessThanOrEqual(1 + SETTLE.attempts);
    // A fix that never helps is given up on after SETTLE.attempts gathers, not retried forever.
    const noop = await run('- hosts: all\n  tasks:\n    - check: file.present\n', {
      hosts: { h1: { fix_id: 'file.noop' } },
      run: { mode: 'fix' },
    });
    expect(noop.catalog.factsRuns).toBe(1 + SETTLE.attempts);
  });

  it('--fix: a warning with a fix is fixed; one the fix does not clear is still-failing', async () => {
    const pb = '- hosts: all\n  tasks:\n    - check: file.tidy\n';
    const r = await run(pb, { hosts: ['h1'], hostFiles: () => ({ clutter: '' }), run: { mode: 'fix' } });
    expect(existsSync(path.join(r.dirs['h1'] ?? '', 'clutter'))).toBe(false);
    expect(checksOf(r)).toEqual([['file.tidy', 'pass', 'fixed']]);
    const noop = await run(pb, { hosts: { h1: { tidy_noop: true } }, hostFiles: () => ({ clutter: '' }), run: { mode: 'fix' } });
    expect(checksOf(noop)).toEqual([['file.tidy', 'warn', 'still-failing']]);
  });

  it('a facts failure is gathered once, and every check that needs facts reports error', async () => {
    const catalog = { ...testCatalog(), factsCommand: () => 'echo broken >&2; exit 3' };
    const r = await run(HEALTH, { hosts: ['h1'], catalog });
    expect(r.store.stepsOf('h1').filter((s) => s.stepId === 'facts')).toEqual([
      expect.objectContaining({ status: 'failed', message: 'facts script failed (rc 3): broken' }),
    ]);
    expect(checksOf(r)).toEqual([
      ['file.present', 'error', null],
      ['file.absent', 'error', null],
      ['file.info', 'error', null],
    ]);
    expect(r.summary.outcomes.get('h1')).toEqual({
      status: 'failed',
      reason: 'check file.present error: facts unavailable: facts script failed (rc 3): broken (+2 more failing checks)',
    });
  });

  it('ignore_errors on a check keeps its failure from failing the host; when skips it', async () => {
    const r = await run(
      `
- hosts: all
  tasks:
    - check: file.present
      ignore_errors: true
    - check: file.absent
      when: false
`,
      { hosts: ['h1'] },
    );
    expect(r.summary.outcomes.get('h1')).toEqual({ status: 'ok' });
    expect(r.store.stepsOf('h1').map((s) => [s.stepId, s.status])).toEqual([
      ['facts', 'ok'],
      ['file.present', 'failed'],
      ['file.absent', 'skipped'],
    ]);
  });
});

describe('ad-hoc checks', () => {
  const ADHOC = `
- hosts: all
  tasks:
    - check:
        id: my.rc
        command: test -e marker
        severity: high
        message: "marker missing on {{ inventory_hostname }}"
        fix:
          - name: create the marker
            copy: { dest: "{{ dir }}/marker", content: "ok\\n" }
    - check:
        id: my.regex
        command: echo "state=UP mtu=1500"
        expect: { stdout_regex: "state=UP" }
    - check:
        id: my.json
        command: "echo '{\\"a\\": {\\"b\\": [1, {\\"c\\": \\"x\\"}]}}'"
        expect: { json_path: "a.b[1].c", equals: "y" }
        severity: low
      register: j
    - debug: { msg: "{{ j.status }} {{ j.message }}" }
`;

  it('evaluate rc, stdout_regex and json_path expectations (commands run even read-only)', async () => {
    const r = await run(ADHOC, { hosts: ['h1'] });
    expect(checksOf(r)).toEqual([
      ['my.rc', 'fail', null],
      ['my.regex', 'pass', null],
      ['my.json', 'fail', null],
    ]);
    expect(r.store.checks[0]?.check.message).toBe('marker missing on h1');
    expect(r.store.checks[0]?.check.fix).toBe('tasks: create the marker');
    expect(r.store.stepsOf('h1').at(-1)?.message).toBe('fail a.b[1].c is "x", expected "y"');
    expect(r.catalog.factsRuns).toBe(0);
  });

  it('--check runs the fix tasks in check mode (with diff); --fix runs them and re-runs the command', async () => {
    const dry = await run(ADHOC, { hosts: ['h1'], run: { mode: 'check', diff: true } });
    expect(existsSync(path.join(dry.dirs['h1'] ?? '', 'marker'))).toBe(false);
    expect(dry.store.stepsOf('h1').find((s) => s.stepId === 'p1.t1.f1')).toMatchObject({
      status: 'changed',
      stdout: expect.stringContaining('+ok'),
    });
    expect(checksOf(dry).find(([id]) => id === 'my.rc')).toEqual(['my.rc', 'fail', 'would-fix']);

    const real = await run(ADHOC, { hosts: ['h1'], run: { mode: 'fix' } });
    expect(existsSync(path.join(real.dirs['h1'] ?? '', 'marker'))).toBe(true);
    expect(real.store.checks.find((c) => c.check.id === 'my.rc')).toMatchObject({ fixStatus: 'fixed', check: { status: 'pass' } });
    // my.json has no fix: recorded once, as it was.
    expect(real.store.checks.filter((c) => c.check.id === 'my.json').map((c) => c.fixStatus)).toEqual([null]);
    // my.json still fails (severity low counts), so the host is failed despite the fix.
    expect(real.summary.outcomes.get('h1')).toEqual({ status: 'failed', reason: 'check my.json fail: a.b[1].c is "x", expected "y"' });
  });
});

describe('detached fixes', () => {
  const NET = `
- hosts: all
  tasks:
    - check: net.detached
`;

  it('run with setsid, are polled until their status file appears, then verified over a NEW connection', async () => {
    const r = await run(NET, { hosts: ['h1'], run: { mode: 'fix' } });
    expect(existsSync(path.join(r.dirs['h1'] ?? '', 'net-ok'))).toBe(true);
    expect(r.store.checks.at(-1)).toMatchObject({ fixStatus: 'fixed', check: { id: 'net.detached', status: 'pass' } });
    expect(r.store.stepsOf('h1').find((s) => s.stepId === 'net.detached:fix')?.message).toBe('fixed (detached): bounce the network');
    // First connection for the check and fix; a fresh one for verification.
    expect(r.transport.connections.length).toBe(2);
    const launch = r.transport.connections[0]?.commands.find((c) => c.includes('setsid'));
    expect(launch).toContain('< /dev/null > /dev/null 2>&1 &');
  });

  it('survive the connection dropping while they run (re-dial and keep polling)', async () => {
    // Connection 1 dies after 3 commands: facts, the launch, one poll.
    const r = await run(NET, { hosts: ['h1'], dropAfter: { h1: 3 }, run: { mode: 'fix' } });
    expect(r.store.checks.at(-1)).toMatchObject({ fixStatus: 'fixed' });
    expect(r.transport.connections.length).toBeGreaterThanOrEqual(3);
    expect(r.summary.outcomes.get('h1')?.status).toBe('changed');
  });

  it('in --check only describe the batch', async () => {
    const r = await run(NET, { hosts: ['h1'], run: { mode: 'check' } });
    expect(existsSync(path.join(r.dirs['h1'] ?? '', 'net-ok'))).toBe(false);
    expect(r.store.stepsOf('h1').find((s) => s.stepId === 'net.detached:fix')).toMatchObject({
      message: 'would fix: bounce the network (detached)',
      stdout: 'sleep 0.3\ntouch net-ok',
    });
  });
});

describe('the fix module', () => {
  it('is a changing task: described without --fix, run with it', async () => {
    const pb = `
- hosts: all
  tasks:
    - fix: file.create
      vars: { want_file: made-by-fix }
`;
    const ro = await run(pb, { hosts: ['h1'] });
    expect(existsSync(path.join(ro.dirs['h1'] ?? '', 'made-by-fix'))).toBe(false);
    expect(ro.store.stepsOf('h1').at(-1)?.message).toBe('would fix: create made-by-fix');
    const real = await run(pb, { hosts: ['h1'], run: { mode: 'fix' } });
    expect(existsSync(path.join(real.dirs['h1'] ?? '', 'made-by-fix'))).toBe(true);
  });
});

describe('fleet-wide checks and the JSON document', () => {
  it('run after every host reported, on the run facts, naming all hosts; JSON has hosts, checks and fleet', async () => {
    const r = await run(HEALTH, {
      hosts: ['h1', 'h2', 'h3'],
      unreachable: ['h3'],
      hostFiles: (h): Record<string, string> => (h === 'h1' ? { wanted: '' } : {}),
    });
    expect(r.store.fleetChecks).toEqual([
      { id: 'fleet.same-files', status: 'fail', severity: 'medium', message: 'hosts differ', hosts: ['h1', 'h2'] },
    ]);
    const json = r.json;
    expect(Object.keys(json)).toEqual(['run_id', 'playbook', 'status', 'limit', 'started', 'finished', 'hosts', 'fleet']);
    expect(json.hosts['h1']).toEqual({
      status: 'ok',
      changed: false,
      reason: null,
      checks: {
        'file.present': { status: 'pass', severity: 'high', message: 'wanted present' },
        'file.absent': { status: 'pass', severity: 'low', message: 'ok' },
        'file.info': { status: 'fail', severity: 'info', message: 'just so you know' },
      },
    });
    expect(json.hosts['h2']?.status).toBe('failed');
    expect(json.hosts['h3']).toEqual({ status: 'unreachable', changed: false, reason: 'h3: connection refused', checks: {} });
    expect(json.fleet).toEqual({
      'fleet.same-files': { status: 'fail', severity: 'medium', hosts: ['h1', 'h2'], message: 'hosts differ' },
    });
    expect(Date.parse(json.finished ?? '')).toBeGreaterThanOrEqual(Date.parse(json.started));
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });

  it('fleet_checks: false turns them off', async () => {
    const r = await run(`- hosts: all\n  fleet_checks: false\n  gather_facts: true\n  tasks: []\n`, { hosts: ['h1'] });
    expect(r.store.fleetChecks).toEqual([]);
    expect(r.catalog.factsRuns).toBe(1);
  });
});
