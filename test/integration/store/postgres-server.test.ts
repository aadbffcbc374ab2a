/** The test PostgreSQL helper itself: private socket only, password required, gone after stop(). */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '../../helpers/postgres.js';

describe('test PostgreSQL server', () => {
  let server: TestPostgres;
  beforeAll(async () => {
    server = await startPostgres();
    console.log(`test PostgreSQL started in ${server.startupMs.toFixed(0)} ms`);
  });
  afterAll(() => server?.stop());

  it('listens on a private Unix socket only, never TCP', async () => {
    const [row] = await server.query<{ listen: string; addr: string | null; fsync: string }>(
      "SELECT current_setting('listen_addresses') AS listen, inet_server_addr()::text AS addr, current_setting('fsync') AS fsync",
    );
    expect(row).toEqual({ listen: '', addr: null, fsync: 'off' });
    expect(statSync(server.socketDir).mode & 0o777).toBe(0o700);
    expect(existsSync(path.join(server.socketDir, '.s.PGSQL.5432'))).toBe(true);
  });

  it('refuses a wrong password', async () => {
    const url = server.url().replace(encodeURIComponent(server.password), 'wrong');
    const client = new pg.Client({ connectionString: url });
    await expect(client.connect()).rejects.toThrow(/password authentication failed/);
  });

  it('creates databases and removes everything on stop', async () => {
    const url = await server.createDatabase();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    expect((await client.query<{ n: number }>('SELECT 1 AS n')).rows).toEqual([{ n: 1 }]);
    await client.end();

    const other = await startPostgres();
    const dir = path.dirname(other.socketDir);
    expect(existsSync(dir)).toBe(true);
    other.stop();
    expect(existsSync(dir)).toBe(false);
    await expect(new pg.Client({ connectionString: other.url() }).connect()).rejects.toThrow(/ENOENT|ECONNREFUSED/);
  });
});
