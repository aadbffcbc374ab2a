/**
 * Secret vars other than the become password: a secret-named host var (host_vars/) and a
 * secret-named -e var holding a webhook URL with its token are echoed by a playbook task on a
 * simulated host, written to stderr and used as a task's failure message. Neither canary may appear
 * in the DB file (WAL included), `--json`, the terminal output, `fleet show`, the report or an export.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SimFleet } from '../../fleet/sim-fleet.js';
import { fleet } from '../../helpers/cli.js';

const HOST_CANARY = 'cnry-hostvar-7f3a91c2e4';
const URL_CANARY = 'cnry-urltoken-b81d5e09aa';
const WEBHOOK = `https://hooks.example.invalid/services/T0/B0/${URL_CANARY}`;
const BECOME_CANARY = 'cnry-become-5c02d7e1f9';
const PASSPHRASE_CANARY = 'cnry-passphrase-e6a04b3d17';

let sim: SimFleet;
let tmp: string;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'fleet-secret-vars-'));
  sim = await SimFleet.up({ prefix: 'scv', count: 1, vmsPerHost: 1 });
  // A directory inventory: the simulated fleet's INI plus host_vars/ with a secret-named var.
  mkdirSync(path.join(tmp, 'inv', 'host_vars'), { recursive: true });
  cpSync(sim.inventoryPath, path.join(tmp, 'inv', 'hosts'));
  writeFileSync(path.join(tmp, 'inv', 'host_vars', 'hv01.yml'), `api_token: ${HOST_CANARY}\nansible_become_password: ${BECOME_CANARY}\n`);
  writeFileSync(
    path.join(tmp, 'echo.yml'),
    [
      '- hosts: all',
      '  tasks:',
      '    - name: use the secrets',
      '      check_mode: false',
      '      shell: echo "token={{ api_token }} hook={{ slack_webhook_secret }}"; echo "stderr {{ api_token }}" >&2',
      '    - name: fail with them',
      '      fail:',
      '        msg: "bad token {{ api_token }} at {{ slack_webhook_secret }}"',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await sim?.down();
  rmSync(tmp, { recursive: true, force: true });
});

it('secret-named host vars and -e vars are masked in every output and never stored', async () => {
  const db = path.join(tmp, 'fleet.db');
  const common = ['-i', path.join(tmp, 'inv'), '--known-hosts', sim.knownHostsPath, '--db', db];
  const extra = ['-e', `slack_webhook_secret=${WEBHOOK}`];
  const outputs: Record<string, string> = {};
  const json = await fleet(['run', path.join(tmp, 'echo.yml'), ...common, ...extra, '--json']);
  expect(json.code, json.stderr).toBe(2);
  outputs['run --json stdout'] = json.stdout;
  outputs['run --json stderr'] = json.stderr;
  const human = await fleet(['run', path.join(tmp, 'echo.yml'), ...common, ...extra]);
  expect(human.code, human.stderr).toBe(2);
  outputs['run stdout'] = human.stdout;
  outputs['run stderr'] = human.stderr;

  const show = await fleet(['show', 'last', '--host', 'hv01', '--db', db]);
  expect(show.code, show.stderr).toBe(0);
  outputs['show'] = show.stdout + show.stderr;
  const report = path.join(tmp, 'report.html');
  const rep = await fleet(['report', '--last', '-o', report, '--db', db]);
  expect(rep.code, rep.stderr).toBe(0);
  outputs['report'] = readFileSync(report, 'utf8');
  for (const format of ['json', 'junit', 'csv']) {
    const ex = await fleet(['export', 'last', '--format', format, '--db', db]);
    expect(ex.code, ex.stderr).toBe(0);
    outputs[`export ${format}`] = ex.stdout;
  }
  for (const f of [db, `${db}-wal`]) if (existsSync(f)) outputs[path.basename(f)] = readFileSync(f).toString('latin1');

  const found = Object.entries(outputs).flatMap(([where, text]) =>
    [HOST_CANARY, URL_CANARY].filter((c) => text.includes(c)).map((c) => `${c} in ${where}`),
  );
  expect(found).toEqual([]);
  // The tasks really ran and printed the (masked) values: the test would prove nothing otherwise.
  expect(show.stdout).toContain('token=******** hook=********');
  expect(show.stdout).toContain('stderr ********');
  expect(json.stdout).toContain('bad token ******** at ********');
});

it('the secrets suite: four canaries in no output, no DB file, no process arguments; files 0600', async () => {
  const canaries = [HOST_CANARY, URL_CANARY, BECOME_CANARY, PASSPHRASE_CANARY];
  const d = path.join(tmp, 'suite');
  mkdirSync(d);
  const db = path.join(d, 'fleet.db');
  const knownHosts = path.join(d, 'ssh', 'known_hosts');
  writeFileSync(
    path.join(d, 'pb.yml'),
    [
      '- hosts: all',
      '  tasks:',
      '    - name: echo the secret vars',
      '      check_mode: false',
      '      shell: echo "{{ api_token }} {{ slack_webhook_secret }}"; echo "{{ api_token }}" >&2',
      '    - name: through sudo, slowly enough to be seen by ps',
      '      become: true',
      '      check_mode: false',
      '      command: sleep 2',
      '',
    ].join('\n'),
  );
  const env = { FLEET_BECOME_PASSWORD: BECOME_CANARY, FLEET_SSH_PASSPHRASE: PASSPHRASE_CANARY };
  const common = ['-i', path.join(tmp, 'inv'), '--known-hosts', knownHosts, '--host-key-checking', 'accept-new', '--db', db];
  const outputs: Record<string, string> = {};
  // Every process's arguments on this machine (the simulated hosts share its process table), sampled
  // while the run is in flight. Only the become password and the passphrase are looked for: fleet
  // itself must never put them on a command line. A var a task templates into its own command is on
  // the host's command line while it runs, as in Ansible (a known limit, README).
  const psCanaries = [BECOME_CANARY, PASSPHRASE_CANARY];
  let sampling = true;
  let samples = 0;
  const psSeen = new Set<string>();
  const sampler = (async () => {
    while (sampling) {
      const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
      samples++;
      for (const c of psCanaries) if (ps.includes(c)) psSeen.add(c);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  // From a file: on fleet's own command line the token would be in ps for everyone to see.
  const extra = path.join(d, 'extra.yml');
  writeFileSync(extra, `slack_webhook_secret: ${WEBHOOK}\n`, { mode: 0o600 });
  const run = await fleet(['run', path.join(d, 'pb.yml'), ...common, '-e', `@${extra}`], { env });
  const json = await fleet(['run', path.join(d, 'pb.yml'), ...common, '-e', `@${extra}`, '--json'], { env });
  sampling = false;
  await sampler;
  expect(run.code, run.stderr).toBe(0);
  expect(json.code, json.stderr).toBe(0);
  Object.assign(outputs, { 'run stdout': run.stdout, 'run stderr': run.stderr, 'json stdout': json.stdout, 'json stderr': json.stderr });
  const show = await fleet(['show', 'last', '--host', 'hv01', '--db', db]);
  outputs['show'] = show.stdout + show.stderr;
  expect(show.stdout).toContain('| ******** ********');
  expect(show.stdout).toMatch(/through sudo, slowly enough to be seen by ps: changed rc=0/);
  const files: Record<string, string> = { report: path.join(d, 'report.html') };
  await fleet(['report', '--last', '-o', files.report!, '--db', db]);
  for (const format of ['json', 'junit', 'csv']) {
    files[`export ${format}`] = path.join(d, `export.${format}`);
    const ex = await fleet(['export', 'last', '--format', format, '-o', files[`export ${format}`]!, '--db', db]);
    expect(ex.code, ex.stderr).toBe(0);
  }
  for (const suffix of ['', '-wal', '-shm']) if (existsSync(db + suffix)) files[`db${suffix}`] = db + suffix;
  files['known_hosts'] = knownHosts;
  for (const [what, f] of Object.entries(files)) outputs[what] = readFileSync(f).toString('latin1');

  const found = Object.entries(outputs).flatMap(([where, text]) => canaries.filter((c) => text.includes(c)).map((c) => `${c} in ${where}`));
  console.log(
    `secrets suite: ${canaries.length} canaries x ${Object.keys(outputs).length} outputs + ps (${samples} samples): ${found.length + psSeen.size} found`,
  );
  expect(found).toEqual([]);
  expect([...psSeen]).toEqual([]);
  expect(samples).toBeGreaterThan(5);
  const modes = Object.fromEntries(Object.entries(files).map(([what, f]) => [what, (statSync(f).mode & 0o777).toString(8)]));
  expect(modes).toEqual(Object.fromEntries(Object.keys(files).map((k) => [k, '600'])));
  expect((statSync(path.dirname(knownHosts)).mode & 0o777).toString(8)).toBe('700');
});
