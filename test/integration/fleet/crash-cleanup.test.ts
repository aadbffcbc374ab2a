/**
 * Teardown when the owner does not get to run it: a fleet process killed with SIGKILL leaves its
 * namespaces and sshds behind; cleanup.js (and the next up() with the same prefix) removes them.
 * SIGTERM is handled by the fleet itself. Also: without root, up() refuses with one line.
 * Runs the compiled scripts (dist/), as operators and the demo do; `npm test` builds them first.
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { leftovers } from '../../fleet/cleanup-lib.js';
import { runCmd } from '../../fleet/exec.js';
import { SimFleet } from '../../fleet/sim-fleet.js';
import { uniquePrefix } from './helpers.js';

const PK = uniquePrefix('fk');
const PJ = uniquePrefix('fj');
const PI = uniquePrefix('fi');
const PG = uniquePrefix('fg');
const PH = uniquePrefix('fh');

const ROOT = path.resolve(import.meta.dirname, '../../..');
const DIST = path.join(ROOT, 'dist/test/fleet');
const SRC = path.join(ROOT, 'test/fleet');

function newestMtime(dir: string): number {
  return Math.max(
    ...readdirSync(dir, { withFileTypes: true }).map((e) =>
      e.isDirectory() ? newestMtime(path.join(dir, e.name)) : e.name.endsWith('.ts') ? statSync(path.join(dir, e.name)).mtimeMs : 0,
    ),
  );
}

/** Starts `up.js` in a child and resolves with its JSON summary once the fleet is up. */
function startFleetProcess(prefix: string, count: number): Promise<{ pid: number; dir: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(DIST, 'up.js'), '--prefix', prefix, '--count', String(count)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve({ pid: child.pid!, dir: (JSON.parse(line) as { dir: string }).dir });
    });
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('exit', (code) => reject(new Error(`up.js exited ${code}: ${err.trim()}`)));
  });
}

async function waitGone(pid: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`process ${pid} still alive`);
}

describe('crash cleanup', () => {
  beforeAll(() => {
    expect(statSync(path.join(DIST, 'up.js')).mtimeMs, 'dist/test/fleet is stale: run `npm run build`').toBeGreaterThanOrEqual(
      newestMtime(SRC),
    );
  });

  it('SIGKILL leaves the fleet behind; cleanup.js removes every trace', async () => {
    const { pid, dir } = await startFleetProcess(PK, 3);
    process.kill(pid, 'SIGKILL');
    await waitGone(pid);
    const left = leftovers(PK, dir);
    expect(left.netns).toHaveLength(4);
    expect(left.processes.length).toBeGreaterThanOrEqual(3);
    const r = await runCmd(process.execPath, [path.join(DIST, 'cleanup.js'), PK]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${PK}: removed 4 namespaces, \\d+ links, \\d+ processes, 3 /etc/netns entries, 1 dirs\\n$`));
    expect(leftovers(PK, dir)).toEqual({ netns: [], links: [], etc: [], processes: [], dirs: [] });
  });

  it('SIGTERM to the owning process tears the fleet down', async () => {
    const { pid, dir } = await startFleetProcess(PJ, 2);
    process.kill(pid, 'SIGTERM');
    await waitGone(pid);
    expect(leftovers(PJ, dir)).toEqual({ netns: [], links: [], etc: [], processes: [], dirs: [] });
  });

  it('the next up() with the same prefix clears a crashed run first', async () => {
    const { pid, dir } = await startFleetProcess(PI, 2);
    process.kill(pid, 'SIGKILL');
    await waitGone(pid);
    const f = await SimFleet.up({ prefix: PI, count: 1 });
    try {
      expect(leftovers(PI, dir).dirs).not.toContain(dir);
      expect(leftovers(PI).netns.sort()).toEqual([`${PI}-fabric`, `${PI}-hv01`]);
    } finally {
      await f.down();
    }
  });

  it('a fleet whose owner is alive is neither taken over by up() nor removed by cleanup.js without --force', async () => {
    const { pid, dir } = await startFleetProcess(PG, 1);
    try {
      await expect(SimFleet.up({ prefix: PG, count: 1 })).rejects.toThrow(`fleet prefix "${PG}" is in use by live process ${pid}`);
      const r = await runCmd(process.execPath, [path.join(DIST, 'cleanup.js')]);
      expect(r.stdout).toContain(`${PG}: skipped, owned by live process ${pid}`);
      expect(leftovers(PG, dir).netns.sort()).toEqual([`${PG}-fabric`, `${PG}-hv01`]);
    } finally {
      process.kill(pid, 'SIGTERM');
      await waitGone(pid);
    }
    expect(leftovers(PG, dir).netns).toEqual([]);
  });

  it('refuses to start without root, in one line that says why', async () => {
    const r = await runCmd('setpriv', [
      '--reuid=65534',
      '--regid=65534',
      '--clear-groups',
      process.execPath,
      path.join(DIST, 'up.js'),
      '--prefix',
      PH,
      '--count',
      '1',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'up: SimFleet needs root: it creates network namespaces, bridges and veths (CAP_NET_ADMIN) and runs sshd in them\n',
    );
    expect(leftovers(PH).netns).toEqual([]);
  });
});
