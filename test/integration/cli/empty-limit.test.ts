/**
 * An empty or unparsable --limit is an input error (exit 1) that stops fleet before it connects to
 * anything: with bridge-remediation, which applies by default, "empty" must never mean "every host".
 * The hosts point at a loopback listener that counts connection attempts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../src/store/sqlite.js';
import { makeRedactor } from '../../../src/core/redact.js';
import { runMain } from '../../helpers/main-in-process.js';

const PLAYBOOK = path.resolve(import.meta.dirname, '../../../playbooks/bridge-remediation.yml');
let dir: string;
let server: net.Server;
let connections = 0;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-empty-limit-'));
  server = net.createServer((s) => {
    connections++;
    s.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  // A usable key, so that without the guard fleet would really dial the listener.
  const key = path.join(dir, 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  const host = (n: number) =>
    `hv${n} ansible_host=127.0.0.1 ansible_port=${port} ansible_ssh_private_key_file=${key} bridge=br0 uplink=eth0 address=198.18.7.${n}/24 gateway=198.18.7.254 network_stack=ifupdown`;
  writeFileSync(path.join(dir, 'hosts'), `[dc1]\n${host(1)}\n${host(2)}\n${host(3)}\n`);
  writeFileSync(path.join(dir, 'empty'), '');
  writeFileSync(path.join(dir, 'blank'), '\n \n');
});
afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function runsIn(db: string): Promise<number> {
  const store = await openSqliteStore(db, { redact: makeRedactor([]) });
  try {
    return (await store.listRuns({ limit: 10 })).length;
  } finally {
    await store.close();
  }
}

describe('an empty or malformed --limit stops fleet before any host is touched', () => {
  it.each([
    ['@empty', /^fleet: --limit @empty: no hosts in empty\n$/],
    ['@blank', /^fleet: --limit @blank: no hosts in blank\n$/],
    ['', /^fleet: --limit '': empty host pattern/],
    [',', /^fleet: --limit ',': empty host pattern/],
    [']', /^fleet: --limit '\]': unbalanced '\[' or '\]'/],
    ['~[', /^fleet: --limit '~\[': unbalanced '\[' or '\]'/],
  ])('bridge-remediation --limit %j', async (limit, message) => {
    const db = path.join(dir, `fleet-${connections}-${limit.replace(/\W/g, '_')}.db`);
    const r = await runMain(
      ['run', PLAYBOOK, '-i', path.join(dir, 'hosts'), '--limit', limit, '--db', db, '--connect-timeout', '1', '-T', '2'],
      { cwd: dir },
    );
    expect(connections, 'connections to the hosts').toBe(0);
    expect(await runsIn(db), 'runs recorded').toBe(0);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('exec with an empty limit runs nothing either', async () => {
    const db = path.join(dir, 'exec.db');
    const r = await runMain(['exec', 'all', '-i', path.join(dir, 'hosts'), '--limit', '', '--db', db, '--', 'true'], { cwd: dir });
    expect(r.stderr).toMatch(/^fleet: --limit '': empty host pattern/);
    expect(r.code).toBe(1);
    expect(connections).toBe(0);
    expect(await runsIn(db)).toBe(0);
  });

  it('a repeated --limit is refused, not a crash', async () => {
    const db = path.join(dir, 'twice.db');
    const r = await runMain(['exec', 'all', '-i', path.join(dir, 'hosts'), '-l', 'hv1', '-l', 'hv2', '--db', db, '--', 'true'], {
      cwd: dir,
    });
    expect(r.stderr).toMatch(/^fleet: --limit was given 2 times: give it once, patterns joined with ','/);
    expect(r.code).toBe(1);
    expect(connections).toBe(0);
  });
});
