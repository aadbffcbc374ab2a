/**
 * fleet as a Debian package: `packaging/deb/build.sh` (npm run deb) makes fleet_<version>_<arch>.deb
 * with dpkg-deb; its control data, its contents and its systemd units are checked here, the units by
 * systemd's own verifier against the unpacked package (so ExecStart=/usr/bin/fleet really exists).
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../src/store/sqlite.js';
import { ROOT } from '../../helpers/cli.js';
import { VERSION, packTarball, sqlite3LocalPrebuild } from '../../helpers/package.js';

const run = promisify(execFile);
let tmp: string;
let deb: string;
let unpacked: string;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'fleet-deb-'));
  const [tarball, env] = await Promise.all([packTarball(path.join(tmp, 'pack')), sqlite3LocalPrebuild(path.join(tmp, 'prebuilds'))]);
  const t0 = Date.now();
  const { stdout } = await run('bash', [path.join(ROOT, 'packaging/deb/build.sh'), '--tarball', tarball, '--out', tmp], {
    env: { ...process.env, ...env },
    maxBuffer: 16 << 20,
  });
  console.log(`npm run deb: ${Date.now() - t0} ms`);
  deb = stdout.trim();
  unpacked = path.join(tmp, 'root');
  await run('dpkg-deb', ['-x', deb, unpacked]);
  // npm install -g builds ssh2's native modules: minutes when the 2 cores are shared.
}, 420_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('fleet as a Debian package', () => {
  it('is named fleet_<version>_<arch>.deb and declares its dependencies', async () => {
    const arch = (await run('dpkg', ['--print-architecture'])).stdout.trim();
    expect(path.basename(deb)).toBe(`fleet_${VERSION}_${arch}.deb`);
    const field = async (name: string) => (await run('dpkg-deb', ['-f', deb, name])).stdout.trim();
    expect(await field('Package')).toBe('fleet');
    expect(await field('Version')).toBe(VERSION);
    expect(await field('Architecture')).toBe(arch);
    const depends = await field('Depends');
    expect(depends).toMatch(/^nodejs \(>= 20\.17\), adduser, /);
    expect(depends).toMatch(/libc6 \(>= [\d.]+\)/);
    const info = (await run('dpkg-deb', ['-I', deb])).stdout;
    for (const script of ['postinst', 'prerm', 'postrm']) expect(info).toMatch(new RegExp(`\\b${script}\\s+#!/bin/sh`));
    console.log(`deb: ${(readFileSync(deb).length / 1024).toFixed(0)} KiB`);
  });

  it('installs fleet under /usr/lib/fleet with /usr/bin/fleet, the units and the docs, owned by root, without build leftovers', async () => {
    const listing = (await run('dpkg-deb', ['-c', deb], { maxBuffer: 16 << 20 })).stdout.split('\n').filter((l) => l !== '');
    const paths = listing.map((l) => l.split(/\s+/).slice(5).join(' '));
    for (const p of [
      './usr/lib/fleet/dist/src/cli/main.js',
      './usr/lib/fleet/playbooks/health-check.yml',
      './usr/lib/fleet/templates/bridge/ifupdown/interfaces.j2',
      './usr/lib/fleet/node_modules/sqlite3/build/Release/node_sqlite3.node',
      './usr/bin/fleet -> ../lib/fleet/bin/fleet.js',
      './lib/systemd/system/fleet-daemon.service',
      './lib/systemd/system/fleet-worker@.service',
      './usr/share/doc/fleet/copyright',
      './usr/share/doc/fleet/changelog.gz',
    ])
      expect(paths, p).toContain(p);
    expect(listing.filter((l) => !/^\S+ root\/root /.test(l))).toEqual([]);
    expect(
      paths.filter(
        (p) =>
          /\/usr\/lib\/fleet\/(test|src|bench|dist\/test|dist\/bench)\//.test(p) ||
          /^\.\/usr\/lib\/fleet\/(?!node_modules\/).*\.(ts|map)$/.test(p) ||
          /sqlite3\/deps\/|obj\.target|\/node-gyp\//.test(p),
      ),
    ).toEqual([]);
  });

  it('the unpacked fleet runs: --version, and sqlite3 opens a results DB', async () => {
    const bin = path.join(unpacked, 'usr/bin/fleet');
    expect((await run(bin, ['--version'], { cwd: tmp })).stdout.trim()).toMatch(
      new RegExp(`^fleet ${VERSION.replace(/\./g, '\\.')} \\(commit `),
    );
    // A current, empty results DB made by this clone: the packaged fleet must read it with the
    // sqlite3 native module it ships (read-only commands never create a DB).
    const db = path.join(tmp, 'empty.db');
    await (await openSqliteStore(db)).close();
    const runs = await run(bin, ['runs', '--db', db], { cwd: tmp, env: { ...process.env, FLEET_DB: '' } });
    expect(runs.stderr.trim()).toBe('no runs recorded yet');
  });

  it('systemd-analyze verify accepts both units against the unpacked package', async () => {
    // The verifier resolves ExecStart= and the units' dependencies inside --root: give it this
    // machine's own unit files next to the package's.
    cpSync('/lib/systemd/system', path.join(unpacked, 'lib/systemd/system'), { recursive: true, force: false, dereference: false });
    const r = await run('systemd-analyze', ['verify', '--man=no', `--root=${unpacked}`, 'fleet-daemon.service', 'fleet-worker@1.service']);
    expect(r.stderr).toBe('');
    const units = ['fleet-daemon.service', 'fleet-worker@.service'].map((u) =>
      readFileSync(path.join(unpacked, 'lib/systemd/system', u), 'utf8'),
    );
    for (const u of units) {
      expect(u).toMatch(/^User=fleet$/m);
      expect(u).toMatch(/^StateDirectory=fleet$/m);
      expect(u).toMatch(/^ProtectSystem=strict$/m);
      expect(u).toMatch(/^NoNewPrivileges=yes$/m);
    }
    expect(units[0]).toMatch(
      /^ExecStart=\/usr\/bin\/fleet daemon --schedule \/etc\/fleet\/fleet\.schedule\.yml --db \/var\/lib\/fleet\/fleet\.db$/m,
    );
    expect(units[1]).toMatch(
      /^ExecStart=\/usr\/bin\/fleet worker --db \$\{FLEET_WORKER_DB\} --concurrency \$\{FLEET_WORKER_CONCURRENCY\}$/m,
    );
  });
});
