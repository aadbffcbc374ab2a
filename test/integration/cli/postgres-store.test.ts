/**
 * The built CLI against a PostgreSQL store, end to end on the simulated fleet: `fleet run health-check`
 * records into PostgreSQL, then runs, show, report, export, diff and `--limit @failed` read it back.
 * The test server requires a password: every command's output is checked for it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimFleet } from '../../fleet/sim-fleet.js';
import { fleet, type CliResult } from '../../helpers/cli.js';
import { startPostgres, type TestPostgres } from '../../helpers/postgres.js';

let sim: SimFleet;
let server: TestPostgres;
let tmp: string;
let url: string;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'fleet-pg-cli-'));
  [sim, server] = await Promise.all([SimFleet.up({ prefix: 'pgs', count: 4, vmsPerHost: 1 }), startPostgres()]);
  url = await server.createDatabase('cli');
});

afterAll(async () => {
  await sim?.down();
  server?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Runs fleet with the password-carrying URL in FLEET_DB; asserts the password never shows. */
async function cli(args: string[], env: NodeJS.ProcessEnv = { FLEET_DB: url }): Promise<CliResult> {
  const r = await fleet(args, { env, cwd: tmp });
  expect(r.stdout + r.stderr).not.toContain(server.password);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  return r;
}

// This machine (and CI's) has no /dev/kvm: that check would fail every host and hide the one fault.
const RUN = ['run', 'health-check', '--skip-tags', 'kernel.modules-devices'];
const healthCheck = (extra: string[] = [], env?: NodeJS.ProcessEnv) =>
  cli([...RUN, '-i', sim.inventoryPath, '--known-hosts', sim.knownHostsPath, '--json', ...extra], env);

interface RunJson {
  run_id: number;
  status: string;
  hosts: Record<string, { status: string }>;
}

describe('fleet on a PostgreSQL store', () => {
  it('records runs in PostgreSQL and every reading command works on them', async () => {
    await sim.inject('hv02', 'bridge.up');

    // 1. --db with a password-less URL; the password comes from PGPASSWORD (pg reads it), as the README advises.
    const bare = `postgres://${server.user}@/cli?host=${encodeURIComponent(server.socketDir)}`;
    const r1 = await healthCheck(['--db', bare], { PGPASSWORD: server.password });
    expect(r1.code).toBe(2);
    const first = JSON.parse(r1.stdout) as RunJson;
    expect(first.status).toBe('completed');
    expect(Object.keys(first.hosts).sort()).toEqual(['hv01', 'hv02', 'hv03', 'hv04']);
    expect(first.hosts['hv02']?.status).toBe('failed');
    expect(first.hosts['hv01']?.status).toBe('ok');

    // 2. The same database through FLEET_DB (URL with password), without --json: the hint names it masked.
    const r2 = await cli([...RUN, '-i', sim.inventoryPath, '--known-hosts', sim.knownHostsPath]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/results database: postgres:\/\/fleet:\*{8}@\/cli\?host=/);
    const second = Number(/details: fleet show (\d+)/.exec(r2.stderr)?.[1]);
    expect(second).toBeGreaterThan(first.run_id);

    const runs = await cli(['runs', '--json']);
    expect(runs.code).toBe(0);
    const listed = JSON.parse(runs.stdout) as { id: number; status: string }[];
    expect(listed.map((r) => r.id)).toEqual([second, first.run_id]);

    const show = await cli(['show', String(first.run_id), '--host', 'hv02']);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('bridge.up');

    const exported = await cli(['export', String(first.run_id), '--format', 'json']);
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.stdout)).toEqual(first); // `run --json` and `export` print the same document
    const csv = await cli(['export', 'last', '--format', 'csv']);
    expect(csv.stdout).toMatch(/hv02.*bridge\.up/);

    const report = await cli(['report', '--run', String(second), '-o', path.join(tmp, 'r.html')]);
    expect(report.code).toBe(0);
    const html = readFileSync(path.join(tmp, 'r.html'), 'utf8');
    expect(html).toContain('hv02');
    expect(html).not.toContain(server.password);

    // Between runs hv02 is repaired: the diff shows bridge.up going from fail to pass.
    expect((await sim.run('hv02', 'ip link set dev br1 up')).code).toBe(0);
    const r3 = await healthCheck(['--limit', '@failed']);
    const third = JSON.parse(r3.stdout) as RunJson;
    expect(Object.keys(third.hosts)).toEqual(['hv02']); // only what failed in the last run
    expect(r3.stderr).toContain(`--limit @failed: 1 host(s) from run ${second}`);
    expect(third.hosts['hv02']?.status).toBe('ok');

    const diff = await cli(['diff', String(second), String(third.run_id), '--json']);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain('bridge.up');
    expect(existsSync(path.join(tmp, 'fleet.db'))).toBe(false); // nothing fell back to SQLite
  });

  it('says in one line, password masked, when the login is refused', async () => {
    const wrong = url.replace(encodeURIComponent(server.password), 'wrong-password-123');
    const r = await cli(['runs'], { FLEET_DB: wrong });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/postgres:\/\/fleet:\*{8}@\/cli\?host=\S+: PostgreSQL refused the login/);
    expect(r.stderr).not.toContain('wrong-password-123');
  });
});
