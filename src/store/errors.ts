/** Store errors a user may see: always one line naming the database file. */
import { FleetError } from '../core/errors.js';

/** Something is wrong with the results database (unreadable, foreign, newer schema, disk full…). */
export class StoreError extends FleetError {
  readonly file: string;
  constructor(file: string, message: string, code = 'FLEET_STORE_ERROR') {
    super(`${file}: ${message}`, code, 1);
    this.name = 'StoreError';
    this.file = file;
  }
}

/** The DB was upgraded by a newer fleet; writing to it with this one could corrupt what it added. */
export class StoreSchemaTooNewError extends StoreError {
  constructor(file: string, found: number, known: number) {
    super(
      file,
      `was written by a newer fleet (schema ${found}); this fleet knows up to ${known}. Upgrade fleet or point FLEET_DB at another file`,
      'FLEET_STORE_SCHEMA_NEWER',
    );
    this.name = 'StoreSchemaTooNewError';
  }
}

/** Wraps a driver error (which carries `code` like SQLITE_NOTADB) into a one-line StoreError. */
export function storeErrorFrom(file: string, err: unknown): StoreError {
  if (err instanceof StoreError) return err;
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : '';
  const raw = typeof e?.message === 'string' ? e.message : String(err);
  // sqlite3 messages look like "SQLITE_NOTADB: file is not a database"; keep the readable half.
  const text = raw.replace(/^SQLITE_[A-Z_]+: /, '').split('\n')[0] ?? raw;
  switch (code) {
    case 'SQLITE_NOTADB':
      return new StoreError(file, 'not a fleet database (the file is not SQLite)', 'FLEET_STORE_NOT_A_DB');
    case 'SQLITE_CORRUPT':
      return new StoreError(file, `database is corrupt (${text})`, 'FLEET_STORE_CORRUPT');
    case 'SQLITE_CANTOPEN':
      return new StoreError(file, `cannot open database (${text})`, 'FLEET_STORE_CANTOPEN');
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return new StoreError(file, `database stayed locked by another fleet process (${text})`, 'FLEET_STORE_BUSY');
    case 'SQLITE_FULL':
      return new StoreError(file, `disk full while writing results (${text})`, 'FLEET_STORE_FULL');
    case 'SQLITE_IOERR':
      // SQLite reports a failed write of its WAL index or journal (ENOSPC among others) this way.
      return new StoreError(file, `disk I/O error (${text}): is the filesystem full, read-only or failing?`, 'FLEET_STORE_IOERR');
    case 'SQLITE_READONLY':
      return new StoreError(file, `database is read-only (${text})`, 'FLEET_STORE_READONLY');
    default:
      return new StoreError(file, text);
  }
}
