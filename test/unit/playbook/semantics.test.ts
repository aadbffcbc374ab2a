import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, inlineRunner, type HarnessOptions } from './harness.js';

const dirs: string[] = [];
afterEach(() => cleanup(...dirs.splice(0)));

const run = inlineRunner(dirs);

const steps = (r: Awaited<ReturnType<typeof run>>, host = 'h1') =>
  r.store.stepsOf(host).map((s) => [s.stepId, s.status, s.message ?? ''] as const);
const fix = { hosts: ['h1'], run: { mode: 'fix' } } satisfies HarnessOptions;

describe('when', () => {
  it('skips with the false condition in the message; lists are ANDed; is defined works', async () => {
    const r = await run(`
- hosts: all
  vars: { flag: "yes" }
  tasks:
    - debug: { msg: a }
      when: flag | bool
    - debug: { msg: b }
      when: [flag | bool, missing is defined]
    - debug: { msg: c }
      when: missing is not defined and inventory_hostname == 'h1'
`);
    expect(steps(r)).toEqual([
      ['p1.t1', 'ok', 'a'],
      ['p1.t2', 'skipped', "skipped: when 'missing is defined' is false"],
      ['p1.t3', 'ok', 'c'],
    ]);
  });

  it('an undefined variable in when fails the task, naming file:line and the variable', async () => {
    const r = await run(`
- hosts: all
  tasks:
    - debug: { msg: a }
      when: typo_var | bool
    - debug: { msg: never }
`);
    const [first, ...rest] = r.store.stepsOf('h1');
    expect(first?.status).toBe('failed');
    expect(first?.message).toMatch(/pb\.yml:5: 'typo_var' is undefined$/);
    expect(rest).toEqual([]);
    expect(r.summary.outcomes.get('h1')).toEqual({
      status: 'failed',
      reason: expect.stringMatching(/^task 'debug: a' failed: .*pb\.yml:5: 'typo_var' is undefined/),
    });
  });

  it('an undefined variable in a command is an error, never an empty string', async () => {
    const r = await run(`
- hosts: all
  tasks:
    - command: echo {{ nope }}
      check_mode: false
`);
    expect(r.store.stepsOf('h1')[0]).toMatchObject({ status: 'failed', message: expect.stringMatching(/pb\.yml:4: 'nope' is undefined/) });
    expect(r.transport.connections.flatMap((c) => c.commands)).toEqual([]);
  });
});

describe('loop and register', () => {
  it('runs per item (when per item), labels, loop_var/index_var, register.results', async () => {
    const r = await run(
      `
- hosts: all
  tasks:
    - command: echo {{ port.name }}-{{ i }}
      check_mode: false
      loop: "{{ ports }}"
      loop_control: { loop_var: port, index_var: i, label: "{{ port.name }}" }
      when: port.up
      register: out
    - debug:
        msg: "{{ out.results | selectattr('stdout', 'defined') | map(attribute='stdout') | join(',') }} skipped={{ out.results[1].skipped }}"
`,
      {
        hosts: {
          h1: {
            ports: [
              { name: 'eth0', up: true },
              { name: 'eth1', up: false },
              { name: 'eth2', up: true },
            ],
          },
        },
      },
    );
    expect(steps(r)).toEqual([
      ['p1.t1[0]', 'changed', ''],
      ['p1.t1[1]', 'skipped', "skipped: when 'port.up' is false"],
      ['p1.t1[2]', 'changed', ''],
      ['p1.t2', 'ok', 'eth0-0,eth2-2 skipped=true'],
    ]);
    expect(r.store.stepsOf('h1')[0]?.name).toBe('command: echo {{ port.name }}-{{ i }} (eth0)');
  });

  it('loop over a literal list and with_items; a non-list loop fails the task', async () => {
    const r = await run(`
- hosts: all
  tasks:
    - set_fact: { acc: "{{ (acc | default([])) + [item * 2] }}" }
      loop: [1, 2, 3]
    - debug: { var: acc }
    - debug: { msg: "{{ item }}" }
      with_items: [x]
    - debug: { msg: "{{ item }}" }
      loop: "{{ {'a': 1} }}"
      ignore_errors: true
`);
    expect(steps(r).slice(3)).toEqual([
      ['p1.t2', 'ok', 'acc: [\n  2,\n  4,\n  6\n]'],
      ['p1.t3[0]', 'ok', 'x'],
      ['p1.t4', 'failed', expect.stringMatching(/loop must give a list, got a mapping \(use dict2items\)/)],
    ]);
  });

  it('register exposes rc/stdout/stdout_lines/failed; failed_when and changed_when use it', async () => {
    const r = await run(`
- hosts: all
  tasks:
    - shell: printf 'a\\nb\\n'; exit 3
      check_mode: false
      register: r
      failed_when: r.rc not in [0, 3]
      changed_when: false
    - debug: { msg: "{{ r.rc }} {{ r.stdout_lines | join('+') }} {{ r.failed }} {{ r.changed }}" }
    - command: "true"
      check_mode: false
      register: t
      failed_when: "'ok' not in t.stdout"
      ignore_errors: true
    - debug: { msg: "{{ t is failed }}" }
`);
    expect(steps(r)).toEqual([
      ['p1.t1', 'ok', 'non-zero return code 3'],
      ['p1.t2', 'ok', '3 a+b false false'],
      ['p1.t3', 'failed', 'failed_when is true (ignored)'],
      ['p1.t4', 'ok', 'true'],
    ]);
    // changed_when: false, and a failed (ignored) task is not a change.
    expect(r.summary.outcomes.get('h1')?.status).toBe('ok');
  });
});

describe('until / retries / delay', () => {
  it('retries until the condition holds, and fails after retries+1 attempts', async () => {
    const r = await run(`
- hosts: all
  tasks:
    - shell: n=$(cat count 2>/dev/null || echo 0); n=$((n+1)); echo $n > count; echo $n
      check_mode: false
      register: c
      until: c.stdout | int >= 3
      retries: 5
      delay: 0
    - debug: { msg: "attempts={{ c.attempts }}" }
    - command: "false"
      check_mode: false
      register: f
      until: f.rc == 0
      retries: 2
      delay: 0
`);
    expect(steps(r)).toEqual([
      ['p1.t1', 'changed', '(3 attempts)'],
      ['p1.t2', 'ok', 'attempts=3'],
      ['p1.t3', 'failed', "until 'f.rc == 0' still false after 3 attempts: non-zero return code 1 (3 attempts)"],
    ]);
  });
});

describe('block / rescue / always', () => {
  it('rescue runs after a failure and the host is not failed; always runs either way', async () => {
    const r = await run(`
- hosts: all
  tasks:
    - block:
        - command: "false"
          check_mode: false
        - debug: { msg: not reached }
      rescue:
        - debug: { msg: "rescued: {{ ansible_failed_result.msg }}" }
      always:
        - debug: { msg: always }
    - debug: { msg: after }
`);
    expect(steps(r).map(([id, st]) => `${id}:${st}`)).toEqual(['p1.t1.1:failed', 'p1.t1.r1:ok', 'p1.t1.a1:ok', 'p1.t2:ok']);
    expect(r.store.stepsOf('h1')[1]?.message).toMatch(/^rescued: task 'command: false' failed/);
    expect(r.summary.outcomes.get('h1')?.status).toBe('ok');
  });

  it('without rescue the failure stands, always still runs, later tasks do not', async () => {
    const r = await run(`
- hosts: all
  tasks:
    - block:
        - fail: { msg: boom }
      always:
        - debug: { msg: always }
    - debug: { msg: after }
`);
    expect(steps(r).map(([id, st]) => `${id}:${st}`)).toEqual(['p1.t1.1:failed', 'p1.t1.a1:ok']);
    expect(r.summary.outcomes.get('h1')).toEqual({ status: 'failed', reason: "task 'fail: boom' failed: boom" });
  });

  it('block when/vars/become are inherited by its tasks', async () => {
    const r = await run(`
- hosts: all
  tasks:
    - block:
        - debug: { msg: "{{ v }}" }
      vars: { v: from-block }
      when: run_it | default(false)
    - block:
        - debug: { msg: "{{ v }}" }
      vars: { v: second }
`);
    expect(steps(r)).toEqual([
      ['p1.t1.1', 'skipped', "skipped: when 'run_it | default(false)' is false"],
      ['p1.t2.1', 'ok', 'second'],
    ]);
  });
});

describe('handlers', () => {
  it('run once at the end of the play, only when notified by a change, by name or listen, in definition order', async () => {
    const r = await run(
      `
- hosts: all
  tasks:
    - command: echo a
      notify: [second, topic]
    - command: echo b
      notify: second
    - debug: { msg: x }
      notify: never notified
  handlers:
    - name: first
      shell: echo first >> handlers.log
    - name: second
      shell: echo second >> handlers.log
    - name: third
      listen: topic
      shell: echo third >> handlers.log
    - name: never notified
      shell: echo never >> handlers.log
`,
      fix,
    );
    expect(readFileSync(path.join(r.dirs['h1'] ?? '', 'handlers.log'), 'utf8')).toBe('second\nthird\n');
    expect(steps(r).map(([id]) => id)).toEqual(['p1.t1', 'p1.t2', 'p1.t3', 'p1.h2', 'p1.h3']);
  });

  it('do not run on a failed host', async () => {
    const r = await run(
      `
- hosts: all
  tasks:
    - command: echo a
      notify: h
    - fail: {}
  handlers:
    - name: h
      shell: touch ran
`,
      fix,
    );
    expect(existsSync(path.join(r.dirs['h1'] ?? '', 'ran'))).toBe(false);
  });
});

describe('tags', () => {
  const PB = `
- hosts: all
  tags: [play]
  tasks:
    - debug: { msg: net }
      tags: [net]
    - debug: { msg: always }
      tags: always
    - debug: { msg: never }
      tags: [never, debug]
    - debug: { msg: plain }
    - block:
        - debug: { msg: in-block }
      tags: blk
`;
  const msgs = async (run_: HarnessOptions['run']) =>
    (await run(PB, { hosts: ['h1'], run: run_ })).store.stepsOf('h1').map((s) => s.message);

  it('selects with --tags / --skip-tags, honouring always, never and inheritance', async () => {
    expect(await msgs({})).toEqual(['net', 'always', 'plain', 'in-block']);
    expect(await msgs({ tags: ['net'] })).toEqual(['net', 'always']);
    expect(await msgs({ tags: ['debug'] })).toEqual(['always', 'never']);
    expect(await msgs({ tags: ['blk'] })).toEqual(['always', 'in-block']);
    expect(await msgs({ skipTags: ['net', 'always'] })).toEqual(['plain', 'in-block']);
    // Inherited tags count: the play's tag selects the `never` task too (as in Ansible).
    expect(await msgs({ tags: ['play'] })).toEqual(['net', 'always', 'never', 'plain', 'in-block']);
  });
});

describe('variables', () => {
  it('precedence: inventory < play vars < vars_files < set_fact/register < extra vars; lazy templates', async () => {
    const r = await run(
      `
- hosts: all
  vars: { a: play, b: play, c: play, d: play, path: "/etc/{{ a }}/{{ b }}" }
  vars_files: [v.yml]
  tasks:
    - debug: { msg: "{{ a }} {{ b }} {{ c }} {{ d }} {{ path }} {{ inv }}" }
    - set_fact: { c: fact, d: fact }
    - debug: { msg: "{{ c }} {{ d }} {{ path }}" }
    - debug: { msg: "{{ hostvars['h2'].inv }} {{ groups.all | join(',') }} {{ group_names }} {{ ansible_check_mode }}" }
`,
      { hosts: { h1: { a: 'inv', inv: 'i1' }, h2: { inv: 'i2' } }, run: { extraVars: { d: 'extra' } } },
      { 'v.yml': 'b: file\nc: file\n' },
    );
    expect(r.store.stepsOf('h1').map((s) => s.message)).toEqual([
      'play file file extra /etc/play/file i1',
      'set c, d',
      'fact extra /etc/play/file',
      'i2 h1,h2 [] true',
    ]);
  });

  it('set_fact and register survive into the next play; no_log keeps output out of the record', async () => {
    const r = await run(
      `
- hosts: all
  tasks:
    - command: echo {{ pw }}
      check_mode: false
      register: secret
      no_log: true
- hosts: all
  tasks:
    - debug: { msg: "len={{ secret.stdout | length }}" }
`,
      { hosts: ['h1'], run: { extraVars: { pw: 's3cr3t' } } },
    );
    expect(r.store.stepsOf('h1')[0]).toMatchObject({ stdout: '', message: 'output hidden (no_log)' });
    expect(JSON.stringify(r.store.steps)).not.toContain('s3cr3t');
    expect(r.store.stepsOf('h1')[1]?.message).toBe('len=6');
  });
});
