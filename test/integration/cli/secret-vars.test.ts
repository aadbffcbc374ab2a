/**
 * Secret vars other than the become password: a secret-named host var (host_vars/) and a
 * secret-named -e var holding a webhook URL with its token are echoed by a playbook task on a
 * simulated host, written to stderr and used as a task's failure message. Neither canary may appear
 * in the DB file (WAL included), `--json`, the terminal output, `fleet show`, the report or an export.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SimFleet } from '../../fleet/sim-fleet.js';
import { fleet } from '../../helpers/cli.js';

const HOST_CANARY = 'cnry-hostvar-7f3a91c2e4';
const URL_CANARY = 'cnry-urltoken-b81d5e09aa';
const WEBHOOK = `https://hooks.example.invalid/services/T0/B0/${URL_CANARY}`;

let sim: SimFleet;
let tmp: string;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'fleet-secret-vars-'));
  sim = await SimFleet.up({ prefix: 'scv', count: 1, vmsPerHost: 1 });
  // A directory inventory: the simulated fleet's INI plus host_vars/ with a secret-named var.
  mkdirSync(path.join(tmp, 'inv', 'host_vars'), { recursive: true });
  cpSync(sim.inventoryPath, path.join(tmp, 'inv', 'hosts'));
  writeFileSync(path.join(tmp, 'inv', 'host_vars', 'hv01.yml'), `api_token: ${HOST_CANARY}\n`);
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
