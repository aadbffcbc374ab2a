/**
 * fleet installed as an npm package: `npm pack` ships only what runs, and `npm install -g` of that
 * tarball gives a `fleet` that finds its own playbooks and templates (and loads sqlite3's native
 * module) when started from a directory that has nothing to do with the clone.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimFleet } from '../../fleet/sim-fleet.js';
import { ROOT, type CliResult } from '../../helpers/cli.js';
import { VERSION, installGlobal, packTarball, sqlite3LocalPrebuild } from '../../helpers/package.js';
import { writeBr0Vars } from '../remediation/helpers.js';

let tmp: string;
let tarball: string;
let fleetBin: string;
let outside: string;
let sim: SimFleet;
const timings: Record<string, number> = {};

async function timed<T>(name: string, f: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  try {
    return await f();
  } finally {
    timings[name] = Date.now() - t0;
  }
}

/** The installed `fleet`, run through its PATH symlink from a directory outside the clone. */
function installed(args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(fleetBin, args, {
      cwd: outside,
      env: { ...process.env, FLEET_DB: '', PATH: `${path.dirname(fleetBin)}:${process.env.PATH ?? ''}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'fleet-npmpkg-'));
  outside = path.join(tmp, 'elsewhere');
  mkdirSync(outside);
  const [packed, env] = await Promise.all([
    timed('npm pack', () => packTarball(path.join(tmp, 'pack'))),
    sqlite3LocalPrebuild(path.join(tmp, 'prebuilds')),
  ]);
  tarball = packed;
  [fleetBin, sim] = await Promise.all([
    timed('npm install -g', () => installGlobal(tarball, path.join(tmp, 'prefix'), env)),
    SimFleet.up({ prefix: 'npk', count: 2, vmsPerHost: 1 }),
  ]);
  await sim.inject('hv02', 'bridge.ip-on-port');
  // npm install -g builds ssh2's native modules: minutes when the 2 cores are shared.
}, 420_000);

afterAll(async () => {
  await sim?.down();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  console.log(`npm package test timings (ms): ${JSON.stringify(timings)}`);
});

describe('fleet as an npm package', () => {
  it('the tarball holds the compiled runtime, bin, playbooks, templates, README and LICENSE, and nothing else', () => {
    const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' })
      .split('\n')
      .filter((f) => f !== '')
      .map((f) => f.replace(/^package\//, ''));
    const allowed =
      /^(LICENSE|README\.md|package\.json|bin\/fleet\.js|dist\/src\/.+\.js(on)?|playbooks\/[^/]+\.yml|templates\/bridge\/.+\.j2|templates\/report\/page\.(js|css))$/;
    expect(files.filter((f) => !allowed.test(f))).toEqual([]);
    expect(files.filter((f) => /\.ts$|\.map$|(^|\/)(test|fixtures|bench)\//.test(f))).toEqual([]);
    for (const f of [
      'LICENSE',
      'README.md',
      'bin/fleet.js',
      'dist/src/cli/main.js',
      'dist/src/install/build-info.json',
      'playbooks/health-check.yml',
      'playbooks/bridge-remediation.yml',
      'templates/bridge/ifupdown/interfaces.j2',
      'templates/report/page.js',
      'templates/report/page.css',
    ])
      expect(files, f).toContain(f);
    console.log(`npm tarball: ${files.length} files, ${(readFileSync(tarball).length / 1024).toFixed(1)} KiB`);
  });

  it('fleet --version prints the version and the commit the build came from', async () => {
    const built = JSON.parse(readFileSync(path.join(ROOT, 'dist/src/install/build-info.json'), 'utf8')) as { commit: string };
    const r = await installed(['--version']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`fleet ${VERSION} (commit ${built.commit})`);
    expect(built.commit).toMatch(/^([0-9a-f]{12}(-dirty)?|unknown)$/);
  });

  it('fleet inventory --list reads the simulated fleet from outside the clone', async () => {
    const r = await installed(['inventory', '-i', sim.inventoryPath, '--list']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { _meta: { hostvars: Record<string, { ansible_host?: string }> } };
    expect(Object.keys(doc._meta.hostvars).sort()).toEqual(['hv01', 'hv02']);
    expect(doc._meta.hostvars.hv01?.ansible_host).toBe(sim.host('hv01').address);
  });

  it('fleet run health-check uses its own playbook, records the run in SQLite and finds the fault', async () => {
    const db = path.join(tmp, 'fleet.db');
    const r = await installed(['run', 'health-check', '-i', sim.inventoryPath, '--known-hosts', sim.knownHostsPath, '--db', db, '--json']);
    expect(r.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
    expect(r.code, r.stderr).toBe(2);
    const doc = JSON.parse(r.stdout) as {
      run_id: number;
      playbook: string;
      hosts: Record<string, { status: string; checks: Record<string, { status: string }> }>;
    };
    expect(doc.playbook).toBe('health-check');
    expect(doc.hosts.hv02?.checks['bridge.ip-on-port']?.status).toBe('fail');
    expect(doc.hosts.hv01?.checks['bridge.ip-on-port']?.status).toBe('pass');
    expect(existsSync(db)).toBe(true);
    const runs = await installed(['runs', '--db', db, '--json']);
    expect(runs.code, runs.stderr).toBe(0);
    expect(runs.stdout).toContain('health-check');
  });

  it('a playbook name is looked up in ./playbooks, then in the installed package, never in the clone', async () => {
    const r = await installed(['run', 'no-such-playbook', '-i', sim.inventoryPath]);
    expect(r.code).toBe(1);
    const pkgDir = path.join(tmp, 'prefix/lib/node_modules/fleet');
    expect(r.stderr).toContain(`${path.join(outside, 'playbooks')} and ${path.join(pkgDir, 'playbooks')}/no-such-playbook.yml`);
  });

  it('bridge-remediation --check --diff renders the installed templates', async () => {
    const vars = writeBr0Vars(sim, tmp);
    const r = await installed([
      'run',
      'bridge-remediation',
      '-i',
      sim.inventoryPath,
      '--known-hosts',
      sim.knownHostsPath,
      '--db',
      path.join(tmp, 'remedy.db'),
      '--limit',
      'hv01',
      '-e',
      `@${vars}`,
      '--check',
      '--diff',
    ]);
    expect(r.stderr).not.toMatch(/internal error|ENOENT/);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\+\+\+ \/etc\/network\/interfaces\tdeclared/);
    // A comment that only the template has: the file was rendered from the installed templates/.
    expect(r.stdout).toContain('+    # do not delay boot waiting for ports to reach forwarding');
  });
});
