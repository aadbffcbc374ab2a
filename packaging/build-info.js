#!/usr/bin/env node
// Writes dist/src/install/build-info.json: fleet's version and the git commit the build came from,
// read at run time by `fleet --version` (an installed package has no .git to ask). A tree without
// its own .git (a tarball, a copy) records "unknown" rather than failing the build.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

function git(...args) {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
}

function commit() {
  try {
    // Only this tree's own repository counts: a copy unpacked inside some other repository must not
    // report that repository's commit.
    if (realpathSync(git('rev-parse', '--show-toplevel')) !== realpathSync(root)) return 'unknown';
    const head = git('rev-parse', '--short=12', 'HEAD');
    const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
    return dirty ? `${head}-dirty` : head;
  } catch {
    return 'unknown';
  }
}

const out = path.join(root, 'dist/src/install/build-info.json');
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ version, commit: commit() })}\n`);
