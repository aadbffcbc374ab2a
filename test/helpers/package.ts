/**
 * Shared steps of the packaging tests: pack fleet's npm tarball and install it the way an operator
 * would (`npm install -g`), into a prefix the test owns.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT, assertBuilt } from './cli.js';

const run = promisify(execFile);

export const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/**
 * `npm pack` of the clone's current build. --ignore-scripts skips prepack: it would delete and
 * rebuild dist/src under the other test files running at the same time (`npm test` has just built
 * it). Returns the tarball's path.
 */
export async function packTarball(dest: string): Promise<string> {
  assertBuilt();
  mkdirSync(dest, { recursive: true });
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dest], {
    cwd: ROOT,
    maxBuffer: 16 << 20,
  });
  const [info] = JSON.parse(stdout) as { filename: string }[];
  if (!info) throw new Error(`npm pack printed no file: ${stdout}`);
  return path.join(dest, info.filename);
}

/**
 * sqlite3's install script first fetches a prebuilt binary from its project's release downloads,
 * which this machine cannot reach, and then compiles SQLite from source (minutes on 2 cores).
 * prebuild-install also takes a prebuilt binary from a local directory: this one holds the module the
 * clone's own `npm ci` compiled for this Node, packed the way prebuild publishes it. The environment
 * it returns points sqlite3's install at it, as a mirror of the release downloads would.
 */
export async function sqlite3LocalPrebuild(dir: string): Promise<NodeJS.ProcessEnv> {
  const mod = path.join(ROOT, 'node_modules/sqlite3');
  const pkg = JSON.parse(readFileSync(path.join(mod, 'package.json'), 'utf8')) as {
    version: string;
    binary: { napi_versions: number[] };
  };
  // prebuild-install -r napi asks for the highest N-API version both sqlite3 and this Node support.
  const napi = Math.max(...pkg.binary.napi_versions.filter((v) => v <= Number(process.versions.napi)));
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `sqlite3-v${pkg.version}-napi-v${napi}-${process.platform}-${process.arch}.tar.gz`);
  await run('tar', ['czf', file, '-C', mod, 'build/Release/node_sqlite3.node']);
  return { npm_config_sqlite3_local_prebuilds: dir };
}

/** `npm install -g --prefix PREFIX TARBALL`, as the README tells an operator; returns PREFIX/bin/fleet. */
export async function installGlobal(tarball: string, prefix: string, env: NodeJS.ProcessEnv): Promise<string> {
  await run(
    'npm',
    [
      'install',
      '-g',
      '--prefix',
      prefix,
      '--allow-scripts=sqlite3,ssh2,cpu-features',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      tarball,
    ],
    { env: { ...process.env, ...env }, maxBuffer: 16 << 20 },
  );
  return path.join(prefix, 'bin/fleet');
}
