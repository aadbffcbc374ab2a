/**
 * The store's two backends, for tests that check RunStore behaviour on both: `describe.each(BACKENDS)`,
 * then `setup()` in beforeAll and `teardown()` in afterAll. SQLite gets a temp dir of files; PostgreSQL a
 * private test server (test/helpers/postgres.ts) with one fresh schema per target (search_path in
 * the URL; postgres-open.test.ts covers fresh databases).
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { openRunStore, type OpenOptions } from '../../../src/store/open.js';
import { openPgDb } from '../../../src/store/postgres.js';
import type { SqlDb } from '../../../src/store/sql-db.js';
import type { SqlRunStore } from '../../../src/store/sql-run-store.js';
import { openSqlDb } from '../../../src/store/sqlite.js';
import { startPostgres, type TestPostgres } from '../../helpers/postgres.js';
import { tempDir } from './helpers.js';

export interface StoreBackend {
  readonly name: 'sqlite' | 'postgres';
  setup(): Promise<void>;
  teardown(): void;
  /** A new, empty database: a file path or a URL. */
  newTarget(): Promise<string>;
  /** Opens the store at `target` (a new database when absent). */
  open(opts?: OpenOptions, target?: string): Promise<SqlRunStore>;
  /** A raw connection, to look at what is really stored. */
  raw(target: string): Promise<SqlDb>;
  /** SQL for facts.body as text (uncompressed facts), to search stored bytes. */
  readonly bodyAsText: string;
  /** Bytes the database holds for fleet's tables (file size, or relation sizes with indexes and TOAST). */
  storedBytes(target: string): Promise<number>;
  /** What the database says when a row names a run that does not exist. */
  readonly foreignKeyError: RegExp;
}

function sqlite(): StoreBackend {
  let tmp: { dir: string; cleanup: () => void } | undefined;
  let n = 0;
  const newTarget = async () => join(tmp!.dir, `s${++n}.db`);
  return {
    name: 'sqlite',
    async setup() {
      tmp = tempDir();
    },
    teardown: () => tmp?.cleanup(),
    newTarget,
    open: async (opts = {}, target) => openRunStore(target ?? (await newTarget()), opts),
    raw: (target) => openSqlDb(target),
    bodyAsText: 'CAST(body AS TEXT)',
    storedBytes: async (target) => statSync(target).size,
    foreignKeyError: /FOREIGN KEY constraint failed/,
  };
}

function postgres(): StoreBackend {
  let server: TestPostgres | undefined;
  const newTarget = () => server!.createSchema();
  return {
    name: 'postgres',
    async setup() {
      server = await startPostgres();
    },
    teardown: () => server?.stop(),
    newTarget,
    open: async (opts = {}, target) => openRunStore(target ?? (await newTarget()), opts),
    raw: (target) => openPgDb(target),
    bodyAsText: "convert_from(body, 'UTF8')",
    async storedBytes(target) {
      const db = await openPgDb(target);
      try {
        const row = await db.get<{ n: number }>(
          `SELECT SUM(pg_total_relation_size(format('%I.%I', table_schema, table_name)))::bigint AS n
           FROM information_schema.tables WHERE table_schema = current_schema()`,
        );
        return row?.n ?? 0;
      } finally {
        await db.close();
      }
    },
    foreignKeyError: /violates foreign key constraint/,
  };
}

export const BACKENDS: readonly StoreBackend[] = [sqlite(), postgres()];
