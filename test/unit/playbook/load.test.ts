import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PlaybookError } from '../../../src/core/errors.js';
import { loadPlaybook, parsePlaybook } from '../../../src/playbook/load.js';
import { playbookHosts } from '../../../src/playbook/runner.js';
import type { ModuleTask } from '../../../src/playbook/types.js';
import { makeInventory, selectHosts, sourceTestDir } from './harness.js';
import { testCatalog } from './test-catalog.js';

const FIXTURES = path.resolve(sourceTestDir(import.meta.dirname), '../../fixtures/playbooks');
const inventory = makeInventory({ hv1: {}, hv2: {} }, { hypervisors: ['hv1', 'hv2'] });
const opts = { catalog: testCatalog(), checkPattern: (p: string) => void selectHosts(inventory, p) };
const FILE = path.join(FIXTURES, 'inline.yml');

/** Parses `text` as if it were a playbook in the fixtures dir and returns the error message. */
async function errorOf(text: string): Promise<string> {
  try {
    await parsePlaybook(FILE, text, opts);
  } catch (err) {
    expect(err).toBeInstanceOf(PlaybookError);
    expect((err as Error).message).not.toContain('\n');
    return (err as Error).message;
  }
  throw new Error('expected a PlaybookError');
}

const play = (tasks: string) => `- hosts: all\n  tasks:\n${tasks}`;

describe('loading a valid playbook', () => {
  it('parses plays, tasks, blocks, handlers, vars_files, serial, YAML 1.1 booleans and octal modes', async () => {
    const pb = await loadPlaybook(path.join(FIXTURES, 'site.yml'), opts);
    const p = pb.plays[0];
    expect(p?.hosts).toBe('hypervisors');
    expect(p?.gatherFacts).toBe(true);
    expect(p?.serial).toEqual([1, '50%']);
    expect(p?.maxFailPercentage).toBe(50);
    expect(p?.varsFiles).toEqual({ ports: ['eth0', 'eth1'], mtu: 9000 });
    expect(p?.tasks.map((t) => [t.id, t.kind, t.loc.line])).toEqual([
      ['p1.t1', 'module', 13],
      ['p1.t2', 'module', 19],
      ['p1.t3', 'module', 21],
      ['p1.t4', 'block', 28],
    ]);
    const tpl = p?.tasks[2] as ModuleTask;
    expect(tpl.args['mode']).toBe('0644');
    expect(tpl.notify).toEqual(['reload bridge']);
    expect((p?.tasks[1] as ModuleTask).name).toBe('check file.present');
    const block = p?.tasks[3];
    expect(block?.kind === 'block' && [block.block[0]?.id, block.rescue[0]?.id, block.always[0]?.id]).toEqual([
      'p1.t4.1',
      'p1.t4.r1',
      'p1.t4.a1',
    ]);
    expect(p?.handlers[0]?.listen).toEqual(['bridge changed']);
    expect(playbookHosts(pb, inventory, (pat) => selectHosts(inventory, pat)).map((h) => h.name)).toEqual(['hv1', 'hv2']);
  });
});

describe('YAML merge keys', () => {
  it('merge an anchored mapping (block and flow style); explicit keys win wherever they are written', async () => {
    const text = [
      '- hosts: all',
      '  vars:',
      '    defaults: &d {bridge: br0, mtu: 1500}',
      '    hv1:',
      '      <<: *d',
      '      mtu: 9000',
      '    hv2: {mtu: 9000, <<: *d}',
      '    hv3: {<<: [*d, {stp: true}]}',
      '  tasks: []',
      '',
    ].join('\n');
    const vars = (await parsePlaybook(FILE, text, opts)).plays[0]?.vars;
    expect(vars?.['hv1']).toEqual({ bridge: 'br0', mtu: 9000 });
    expect(vars?.['hv2']).toEqual({ bridge: 'br0', mtu: 9000 });
    expect(vars?.['hv3']).toEqual({ bridge: 'br0', mtu: 1500, stp: true });
  });
});

describe('every error names file:line, before anything connects', () => {
  it('bad YAML', async () => {
    expect(await errorOf('- hosts: all\n  tasks:\n    - name: x\n     command: y\n')).toMatch(/^.*inline\.yml:4: invalid YAML/);
    expect(await errorOf('- hosts: all\n  hosts: again\n')).toMatch(/inline\.yml:2: invalid YAML: Map keys must be unique/);
  });

  it('wrong shapes', async () => {
    expect(await errorOf('hosts: all\n')).toMatch(/inline\.yml:1: a playbook must be a list of plays/);
    expect(await errorOf('- tasks: []\n')).toMatch(/inline\.yml:1: play 1 has no 'hosts'/);
    expect(await errorOf(play('    - just a string\n'))).toMatch(/inline\.yml:3: a task must be a mapping/);
    expect(await errorOf(play('    - name: nothing here\n'))).toMatch(/inline\.yml:3: task has no module/);
  });

  it('unknown module or keyword, with a suggestion', async () => {
    expect(await errorOf(play('    - comand: ls\n'))).toBe(`${FILE}:3: unknown module or keyword 'comand' (did you mean command?)`);
    expect(await errorOf(play('    - command: ls\n      wehn: x\n'))).toBe(
      `${FILE}:4: unknown module or keyword 'wehn' (did you mean when?)`,
    );
    expect(await errorOf('- hosts: all\n  gather_fact: true\n')).toMatch(
      /inline\.yml:2: unknown play keyword 'gather_fact' \(did you mean gather_facts\?\)/,
    );
    expect(await errorOf(play('    - command: ls\n      shell: ls\n'))).toMatch(
      /inline\.yml:4: task has more than one module: command, shell/,
    );
    expect(await errorOf(play('    - command: ls\n      delegate_to: localhost\n'))).toMatch(
      /inline\.yml:4: delegate_to is not supported by fleet/,
    );
    expect(await errorOf(play('    - copy:\n        dst: /x\n        content: y\n'))).toMatch(
      /inline\.yml:4: unknown argument 'dst' for module copy \(did you mean dest\?\)/,
    );
    expect(await errorOf(play('    - command: ls\n      rescue: []\n'))).toMatch(/inline\.yml:4: 'rescue' needs a 'block'/);
  });

  it('a typo in a check id', async () => {
    expect(await errorOf(play('    - name: c\n      check: file.presnet\n'))).toBe(
      `${FILE}:4: unknown check 'file.presnet' (did you mean file.present?)`,
    );
    expect(await errorOf(play('    - check:\n        id: file.absnt\n'))).toBe(
      `${FILE}:4: unknown check 'file.absnt' (did you mean file.absent?)`,
    );
    expect(await errorOf(play('    - check: {id: file.present, command: "true"}\n'))).toMatch(/is a built-in check/);
    expect(await errorOf(play('    - check: {id: my.x, command: "true", expect: {stdout_regex: "("}}\n'))).toMatch(
      /inline\.yml:3: check: invalid regular expression/,
    );
    expect(await errorOf(play('    - check: {id: my.x, command: "true", expect: {rcc: 0}}\n'))).toMatch(
      /unknown expect key 'rcc' \(did you mean rc\?\)/,
    );
    expect(await errorOf(play('    - check: file.present\n      loop: [1]\n'))).toMatch(
      /inline\.yml:4: 'loop' cannot be used on a check task/,
    );
    expect(await errorOf(play('    - check: {id: my.x, command: "true", severity: hihg}\n'))).toMatch(
      /severity must be one of .*\(did you mean high\?\)/,
    );
  });

  it('templates and expressions that do not compile', async () => {
    expect(await errorOf(play('    - command: echo {{ x }\n'))).toMatch(/inline\.yml:3: invalid template 'echo \{\{ x \}'/);
    expect(await errorOf(play('    - debug: {msg: hi}\n      when: x ==\n'))).toMatch(/inline\.yml:4: invalid expression 'x =='/);
    expect(await errorOf(play('    - debug: {msg: hi}\n      when:\n        - a\n        - b ==\n'))).toMatch(
      /inline\.yml:6: invalid expression 'b =='/,
    );
    expect(await errorOf(play('    - debug: {msg: hi}\n      failed_when: "{% if %}"\n'))).toMatch(/inline\.yml:4: invalid expression/);
    expect(await errorOf(play('    - assert:\n        that:\n          - x is defined\n          - y ===\n'))).toMatch(
      /inline\.yml:4: invalid expression 'y ==='/,
    );
    expect(await errorOf(play('    - template: {src: broken.j2, dest: /tmp/x}\n'))).toBe(
      `${path.join(FIXTURES, 'templates/broken.j2')}:4: invalid template: expected variable end`,
    );
    expect(await errorOf(play('    - template: {src: nope.j2, dest: /tmp/x}\n'))).toMatch(/inline\.yml:3: template 'nope\.j2' not found/);
    expect(await errorOf('- hosts: all\n  vars:\n    a: "{{ b"\n')).toMatch(/inline\.yml:3: invalid template/);
  });

  it('host patterns, handlers, vars_files, serial and friends', async () => {
    expect(await errorOf('- hosts: nosuchgroup\n  tasks: []\n')).toBe(`${FILE}:1: hosts: no host or group named 'nosuchgroup'`);
    expect(
      await errorOf(play('    - command: ls\n      notify: restart nets\n') + '  handlers:\n    - name: restart net\n      command: x\n'),
    ).toMatch(/inline\.yml:3: notify: no handler named 'restart nets' in this play \(did you mean restart net\?\)/);
    expect(await errorOf('- hosts: all\n  vars_files:\n    - vars/common.yml\n    - vars/missing.yml\n')).toMatch(
      /inline\.yml:4: vars_files: vars\/missing\.yml: vars file not found/,
    );
    expect(await errorOf('- hosts: all\n  serial: lots\n')).toMatch(/inline\.yml:2: serial must be/);
    expect(await errorOf('- hosts: all\n  max_fail_percentage: 150\n')).toMatch(
      /inline\.yml:2: max_fail_percentage must be a number from 0 to 100/,
    );
    expect(await errorOf(play('    - debug: {msg: x}\n      loop: items\n'))).toMatch(/inline\.yml:4: loop must be a list or a template/);
    expect(await errorOf(play('    - command: ls\n      register: my-result\n'))).toMatch(
      /inline\.yml:4: register: 'my-result' is not a valid variable name/,
    );
    expect(await errorOf(play('    - copy: {dest: /x, content: y, mode: 644}\n'))).toMatch(/mode 644 is a YAML number; quote it/);
    expect(await errorOf(play('    - command: ls\n      retries: -1\n'))).toMatch(
      /inline\.yml:4: 'retries' must be a non-negative integer/,
    );
    expect(await errorOf('- hosts: all\n  fix: maybe\n')).toBe(`${FILE}:2: 'fix' must be true or false`);
    expect(await errorOf('- hosts: all\n  tasks: []\n- hosts: all\n  fix: true\n')).toMatch(
      /inline\.yml:3: play 2 sets 'fix: true' but play 1 does not/,
    );
    expect(await errorOf('- hosts: all\n  fleet_checks: [fleet.same-file]\n')).toMatch(
      /unknown fleet check 'fleet\.same-file' \(did you mean fleet\.same-files\?\)/,
    );
  });

  it('a missing playbook file is named', async () => {
    await expect(loadPlaybook(path.join(FIXTURES, 'nope.yml'), opts)).rejects.toThrow(/nope\.yml: playbook not found/);
  });
});
