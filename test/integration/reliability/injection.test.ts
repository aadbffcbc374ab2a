/**
 * Host and extra vars full of shell syntax reach checks, fixes, bridge templates, the remediation's
 * scripts and ad-hoc commands, on real hosts; nothing they contain ever runs. Each hostile value
 * tries to create a marker file; the test fails if any marker exists afterwards.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimFleet } from '../../fleet/sim-fleet.js';
import { fleet } from '../../helpers/cli.js';
import { openSqliteStore } from '../../../src/store/sqlite.js';

let sim: SimFleet;
let tmp: string;
let marks: string;
let inventory: string;

/** Every way a value could break out of its quoting, each aiming at its own marker file. */
const hostile = (tag: string) => [
  `x;touch ${marks}/${tag}-semi`,
  `$(touch ${marks}/${tag}-subst)`,
  `\`touch ${marks}/${tag}-tick\``,
  `x' ; touch ${marks}/${tag}-squote ; '`,
  `x" ; touch ${marks}/${tag}-dquote ; "`,
  `x\ntouch ${marks}/${tag}-newline`,
];

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'fleet-inject-'));
  marks = path.join(tmp, 'marks');
  // The directory exists, so a value that did run would leave its file.
  mkdirSync(marks);
  sim = await SimFleet.up({ prefix: 'inj', count: 2, vmsPerHost: 1 });
  // A YAML inventory (INI cannot hold a newline) with the fleet's hosts and hostile vars.
  inventory = path.join(tmp, 'hostile.yml');
  const yamlStr = (v: string) => JSON.stringify(v);
  const lines = ['all:', '  hosts:'];
  for (const h of sim.hosts) {
    lines.push(
      `    ${h.name}:`,
      `      ansible_host: ${h.address}`,
      '      ansible_user: root',
      `      ansible_ssh_private_key_file: ${sim.keyPath}`,
    );
  }
  lines.push('  vars:');
  hostile('var').forEach((v, i) => lines.push(`    evil${i}: ${yamlStr(v)}`));
  writeFileSync(inventory, `${lines.join('\n')}\n`);
  // Tasks that template the hostile vars into commands: `command` (no shell) and `shell` with | quote.
  const vars = hostile('var').map((_, i) => i);
  writeFileSync(
    path.join(tmp, 'echo.yml'),
    [
      '- name: hostile vars in commands',
      '  hosts: all',
      '  gather_facts: false',
      '  tasks:',
      '    - name: command',
      `      command: "echo ${vars.map((i) => `{{ evil${i} }}`).join(' ')}"`,
      '      check_mode: false',
      '    - name: shell, quoted',
      `      shell: "echo ${vars.map((i) => `{{ evil${i} | quote }}`).join(' ')}"`,
      '      check_mode: false',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await sim?.down();
  rmSync(tmp, { recursive: true, force: true });
});

const run = (args: string[]) => fleet([...args, '-i', inventory, '--known-hosts', sim.knownHostsPath, '--db', path.join(tmp, 'f.db')]);

describe('shell syntax in vars never executes', () => {
  it('checks and fixes with hostile bridge/uplink/mtu vars, bridge-remediation previews, command and shell tasks templating them', async () => {
    const values = hostile('e');
    const results = [];
    for (const [i, v] of values.entries()) {
      // Check vars (the bridge and uplink names go into fix commands), with --fix.
      results.push(await run(['run', 'health-check', '--fix', '-e', JSON.stringify({ bridge: v, uplink: v, mtu: v })]));
      // The remediation's preview renders templates and scripts from them.
      results.push(
        await run([
          'run',
          'bridge-remediation',
          '--check',
          '--diff',
          '-e',
          JSON.stringify({ bridge: 'br0', uplink: 'eth0', address: v, gateway: v }),
        ]),
      );
    }
    for (const r of results) {
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      expect(r.code).not.toBe(3);
    }
    // Templated into commands, each value comes back verbatim instead of running.
    const echoed = await run(['run', path.join(tmp, 'echo.yml'), '--json']);
    expect(echoed.code, echoed.stderr).toBe(0);
    const db = path.join(tmp, 'f.db');
    const store = await openSqliteStore(db, { redact: (t) => t });
    try {
      const runId = (JSON.parse(echoed.stdout) as { run_id: number }).run_id;
      const steps = await store.getSteps(runId, 'hv01');
      // shell with | quote: every value verbatim, newline included.
      const shell = steps.find((x) => x.name === 'shell, quoted')?.stdout ?? '';
      for (const v of hostile('var')) expect(shell).toContain(v);
      // command runs no shell: its words are split as Ansible's are (quotes in a value group words),
      // and substitutions come back as text.
      const command = steps.find((x) => x.name === 'command')?.stdout ?? '';
      expect(command).toContain(`$(touch ${marks}/var-subst)`);
      expect(command).toContain(`\`touch ${marks}/var-tick\``);
      expect(command).toContain(`x;touch ${marks}/var-semi`);
    } finally {
      await store.close();
    }
    expect(readdirSync(marks)).toEqual([]);
  }, 240_000);
});
