/**
 * A private, throw-away PostgreSQL server for tests: `initdb` into a fresh temp dir, `pg_ctl start` on a
 * Unix socket in a private dir (listen_addresses='': no TCP at all), torn down with `pg_ctl stop -m
 * immediate` and rm when the test ends, when the process exits, or by the next start after a crash.
 *
 * PostgreSQL refuses to run as root, so as root the server runs as Debian's `postgres` user (created by
 * the `postgresql` package) and its dirs belong to it; root still reaches the 0700 socket dir. The
 * superuser gets a random password (scram-sha-256 on the socket), so every URL the tests use carries a
 * secret and password masking is exercised for real. fsync is off unless asked: tests need speed, not
 * durability across a power cut.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface TestPostgres {
  /** The private directory holding the server's socket. */
  readonly socketDir: string;
  /** The superuser and its password. */
  readonly user: string;
  readonly password: string;
  /** Milliseconds from initdb to accepting connections. */
  readonly startupMs: number;
  /** postgres://user:password@/db?host=<socketDir> */
  url(database?: string): string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /**
   * Creates an empty schema in a shared test database and returns a URL whose search_path is that
   * schema: as isolated for fleet's unqualified table names as a new database, at a fraction of the
   * cost (CREATE DATABASE copies a template: ~0.5 s here).
   */
  createSchema(): Promise<string>;
  /** Runs SQL as the superuser on `database` (default `postgres`). */
  query<T extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params?: unknown[], database?: string): Promise<T[]>;
  /** Stops the server at once and removes its files. Idempotent. */
  stop(): void;
}

export interface StartOptions {
  /** Keep fsync on (for honest durability-cost measurements). Default false. */
  readonly fsync?: boolean;
}

const DIR_PREFIX = 'fleet-pg-';
const SUPERUSER = 'fleet';

/** The newest installed server's bin dir (Debian: /usr/lib/postgresql/<major>/bin). */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((d) => /^\d+$/.test(d) && existsSync(path.join(root, d, 'bin/pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (majors.length === 0) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql: run .ci/install-deps');
  return path.join(root, majors[0]!, 'bin');
}

interface Owner {
  readonly uid: number;
  readonly gid: number;
  /** Prefix that runs a command as the server's user. */
  readonly wrap: string[];
}

function serverOwner(): Owner {
  const uid = process.getuid?.() ?? 0;
  if (uid !== 0) return { uid, gid: process.getgid?.() ?? 0, wrap: [] };
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g'), wrap: ['runuser', '-u', 'postgres', '--'] };
  } catch {
    throw new Error("PostgreSQL will not run as root and there is no 'postgres' user: install Debian's postgresql (.ci/install-deps)");
  }
}

function run(owner: Owner, bin: string, args: string[], cwd: string): void {
  const [cmd, ...rest] = [...owner.wrap, bin, ...args];
  execFileSync(cmd!, rest, { cwd, stdio: 'pipe', timeout: 60_000 });
}

function stopAndRemove(base: string, bin: string, owner: Owner): void {
  const data = path.join(base, 'data');
  if (existsSync(path.join(data, 'postmaster.pid'))) {
    try {
      run(owner, path.join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'immediate', '-w', '-t', '30'], base);
    } catch {
      /* already gone: the rm below is what matters */
    }
  }
  rmSync(base, { recursive: true, force: true });
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Servers whose test process died without tearing down (SIGKILL, OOM): stop them and remove their files. */
function sweepOrphans(bin: string, owner: Owner): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(DIR_PREFIX)) continue;
    const base = path.join(tmpdir(), name);
    let pid = NaN;
    try {
      pid = Number(readFileSync(path.join(base, 'owner.pid'), 'utf8'));
    } catch {
      continue; // being created right now, or not ours
    }
    if (Number.isSafeInteger(pid) && pid > 0 && !isAlive(pid)) stopAndRemove(base, bin, owner);
  }
}

const live = new Set<() => void>();
let hooked = false;
function onExit(stop: () => void): void {
  live.add(stop);
  if (hooked) return;
  hooked = true;
  const all = () => [...live].forEach((s) => s());
  process.on('exit', all);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      all();
      process.kill(process.pid, sig);
    });
  }
}

/** Starts a private server; call stop() in afterAll. */
export async function startPostgres(opts: StartOptions = {}): Promise<TestPostgres> {
  const t0 = performance.now();
  const bin = postgresBinDir();
  const owner = serverOwner();
  sweepOrphans(bin, owner);

  const base = mkdtempSync(path.join(tmpdir(), DIR_PREFIX));
  chmodSync(base, 0o700);
  writeFileSync(path.join(base, 'owner.pid'), String(process.pid));
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    live.delete(stop);
    stopAndRemove(base, bin, owner);
  };
  onExit(stop);

  const data = path.join(base, 'data');
  const socketDir = path.join(base, 'sock');
  const password = randomBytes(18).toString('base64url');
  try {
    mkdirSync(socketDir, { mode: 0o700 });
    const pwfile = path.join(base, 'pw');
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    for (const p of [base, socketDir, pwfile]) chownSync(p, owner.uid, owner.gid);
    // -N: no fsync of the new cluster; --no-instructions: quiet; C locale: no locale packages needed.
    run(
      owner,
      path.join(bin, 'initdb'),
      ['-D', data, '-U', SUPERUSER, '--pwfile', pwfile, '-A', 'scram-sha-256', '-E', 'UTF8', '--no-locale', '-N', '--no-instructions'],
      base,
    );
    rmSync(pwfile);
    const conf = [
      "listen_addresses = ''",
      `unix_socket_directories = '${socketDir}'`,
      'unix_socket_permissions = 0700',
      `fsync = ${opts.fsync ? 'on' : 'off'}`,
      `synchronous_commit = ${opts.fsync ? 'on' : 'off'}`,
      `full_page_writes = ${opts.fsync ? 'on' : 'off'}`,
      'max_connections = 60',
      'shared_buffers = 32MB',
      "log_min_messages = 'warning'",
    ];
    writeFileSync(path.join(data, 'postgresql.conf'), `\n${conf.join('\n')}\n`, { flag: 'a' });
    run(owner, path.join(bin, 'pg_ctl'), ['start', '-D', data, '-l', path.join(base, 'server.log'), '-w', '-t', '60', '-s'], base);
  } catch (err) {
    let log = '';
    try {
      log = readFileSync(path.join(base, 'server.log'), 'utf8').slice(-2000);
    } catch {
      /* no log yet */
    }
    stop();
    const stderr = String((err as { stderr?: unknown }).stderr ?? '');
    throw new Error(`test PostgreSQL did not start: ${(err as Error).message}\n${stderr}\n${log}`);
  }
  const startupMs = performance.now() - t0;

  const url = (database = 'postgres') =>
    `postgres://${SUPERUSER}:${encodeURIComponent(password)}@/${encodeURIComponent(database)}?host=${encodeURIComponent(socketDir)}`;
  const query = async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = [], database = 'postgres'): Promise<T[]> => {
    const client = new pg.Client({ connectionString: url(database) });
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  };
  let seq = 0;
  let shared: Promise<unknown> | undefined;
  return {
    socketDir,
    user: SUPERUSER,
    password,
    startupMs,
    url,
    query,
    async createDatabase(name = `t${process.pid}_${++seq}`) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad test database name ${name}`);
      await query(`CREATE DATABASE ${name}`);
      return url(name);
    },
    async createSchema() {
      shared ??= query('CREATE DATABASE schemas');
      await shared;
      const name = `s${process.pid}_${++seq}`;
      await query(`CREATE SCHEMA ${name}`, [], 'schemas');
      return `${url('schemas')}&options=${encodeURIComponent(`-c search_path=${name}`)}`;
    },
    stop,
  };
}
