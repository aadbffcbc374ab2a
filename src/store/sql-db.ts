/**
 * The few async SQL operations the store needs. sqlite.ts implements it over sqlite3, postgres.ts over
 * pg (with `?` placeholders rewritten); nothing else in store/ knows which driver is underneath, so
 * the SQL-building code stays driver-agnostic.
 */

/** A value SQLite (and PostgreSQL) can bind: timestamps are epoch-ms integers, booleans 0/1. */
export type SqlValue = string | number | null | Buffer;

export interface RunInfo {
  readonly changes: number;
}

export interface SqlDb {
  /** The database file (or masked URL), for error messages. */
  readonly file: string;
  /**
   * Which database is underneath. Only for maintenance that has no portable SQL (reclaiming freed
   * pages); queries stay the same text on both.
   */
  readonly dialect: 'sqlite' | 'postgres';
  /** The statement that opens a write transaction (SQLite takes its write lock with it). */
  readonly beginWrite: string;
  /** One statement with `?` parameters. Statements are prepared once and reused by SQL text. */
  run(sql: string, params?: readonly SqlValue[]): Promise<RunInfo>;
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** First row or undefined. */
  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** Several statements without parameters (DDL, pragmas, BEGIN/COMMIT). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}
