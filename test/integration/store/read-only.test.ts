/**
 * The read-only commands (runs, show, report, diff, export, serve) never write the results DB: they
 * work on a DB they cannot write (a read-only mount), leave an older schema untouched with an error
 * that says how to upgrade, recover nothing, and warn about (rather than fix) a DB others can read.
 * Writing commands tighten such a DB to 0600. Runs the built CLI.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, assertBuilt, fleet } from '../../helpers/cli.js';
import { buildScenario } from '../report/scenario.js';
import { SCHEMA_VERSION } from '../../../src/store/migrations.js';

const dir = mkdtempSync(join(tmpdir(), 'fleet-read-only-'));
const BIN = join(ROOT, 'bin/fleet.js');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(() => assertBuilt());

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const sql = (db: string, q: string) => execFileSync('sqlite3', [db, q], { encoding: 'utf8' }).trim();
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The read-only commands, each as `fleet` arguments after which --db DB is appended. */
const READERS: readonly (readonly string[])[] = [
  ['runs'],
  ['show', 'last'],
  ['report', '-o', '-'],
  ['diff', '--last', '2'],
  ['export', 'last', '--format', 'json'],
];

/** Runs a shell script in a private mount namespace where `d` is mounted read-only. */
function inReadOnlyMount(d: string, script: string): string {
  const r = spawnSync('unshare', ['-m', 'sh', '-c', `mount --bind ${q(d)} ${q(d)} && mount -o remount,bind,ro ${q(d)} && ${script}`], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return `${r.stdout}${r.stderr}`;
}

describe('read-only commands', () => {
  it('work on a DB on a read-only mount (nothing there can be written, not even -shm)', async () => {
    const d = join(dir, 'ro');
    mkdirSync(d);
    const { db } = await buildScenario(d);
    const before = sha(db);
    const lines = READERS.map(
      (args) =>
        `${[process.execPath, BIN, ...args, '--db', db].map(q).join(' ')} >/dev/null 2>"$T/err"; echo "${args[0]} rc=$? $(head -c 300 "$T/err")"`,
    );
    // serve keeps the DB open; it must start (print where it listens) and is stopped by timeout.
    lines.push(`timeout 10 ${[process.execPath, BIN, 'serve', '--port', '0', '--db', db].map(q).join(' ')} 2>&1 | head -c 300; echo`);
    const out = inReadOnlyMount(d, `T=$(mktemp -d); ${lines.join('; ')}; rm -rf "$T"`);
    for (const args of READERS) expect(out, out).toContain(`${args[0]} rc=0 \n`);
    expect(out).toMatch(/http:\/\/127\.0\.0\.1:\d+/);
    expect(sha(db)).toBe(before);
  });

  it('leave a DB of an older schema untouched and say how to upgrade it; a writing command then upgrades it', async () => {
    const d = join(dir, 'old');
    mkdirSync(d);
    const db = join(d, 'fleet.db');
    copyFileSync(join(ROOT, 'test/fixtures/store/fleet-v1.sqlite'), db);
    chmodSync(db, 0o600);
    const before = sha(db);
    for (const args of [...READERS.slice(0, 2), ['report', '-o', join(d, 'r.html')], ['export', 'last', '--format', 'csv']]) {
      const r = await fleet([...args, '--db', db]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(1);
      expect(r.stderr).toBe(
        `fleet: ${db}: was written by an older fleet (schema 1; this fleet uses ${SCHEMA_VERSION}): run a writing command (fleet run or fleet exec) once to upgrade it; ${args[0]} never writes the database\n`,
      );
    }
    expect(sha(db)).toBe(before);
    writeFileSync(join(d, 'hosts'), 'localhost ansible_connection=local\n');
    const w = await fleet(['exec', 'all', '-i', join(d, 'hosts'), '--db', db, '--', 'true']);
    expect(w.code, w.stderr).toBe(0);
    expect(sql(db, 'PRAGMA user_version')).toBe(String(SCHEMA_VERSION));
    expect((await fleet(['runs', '--db', db])).code).toBe(0);
  });

  it('recover nothing and change no mode: a dead run stays running and a 0644 DB gets a warning; a writing command fixes both', async () => {
    const d = join(dir, 'loose');
    mkdirSync(d);
    const { db, run2 } = await buildScenario(d);
    // run2 "was left running" by a controller of this host that died (no such pid).
    sql(db, `UPDATE runs SET status = 'running', finished_at = NULL, controller = '${hostname()}', pid = 2147483646 WHERE id = ${run2}`);
    chmodSync(db, 0o644);
    const before = sha(db);
    for (const args of READERS) {
      const r = await fleet([...args, '--db', db]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stderr).toContain(
        `fleet: warning: ${db} is readable by other users (mode 0644) and holds every host's command output: chmod 600 it (the next fleet run or exec does)\n`,
      );
    }
    expect(sha(db)).toBe(before);
    expect(statSync(db).mode & 0o777).toBe(0o644);
    expect(sql(db, `SELECT status FROM runs WHERE id = ${run2}`)).toBe('running');

    writeFileSync(join(d, 'hosts'), 'localhost ansible_connection=local\n');
    const w = await fleet(['exec', 'all', '-i', join(d, 'hosts'), '--db', db, '--', 'true']);
    expect(w.code, w.stderr).toBe(0);
    expect(w.stderr).not.toContain('readable by other users');
    expect(statSync(db).mode & 0o777).toBe(0o600);
    expect(sql(db, `SELECT status FROM runs WHERE id = ${run2}`)).toBe('interrupted');
  });

  it('refuse a DB that does not exist instead of creating it', async () => {
    const db = join(dir, 'missing.db');
    for (const args of READERS) {
      const r = await fleet([...args, '--db', db]);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toBe(`fleet: ${db}: no results database here yet (fleet run or fleet exec creates it)\n`);
    }
    expect(() => statSync(db)).toThrow();
  });
});
