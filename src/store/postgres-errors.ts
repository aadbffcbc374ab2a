/**
 * Turns a pg driver or server error into a one-line StoreError naming the database by its MASKED URL.
 * The driver's text passes through maskTargetIn too: whatever it quotes, a password never gets out.
 */
import { maskDbTarget, maskTargetIn } from './db-target.js';
import { StoreError } from './errors.js';

interface PgErrorLike {
  code?: unknown;
  message?: unknown;
  address?: unknown;
}

/** SQLSTATE and socket error codes we can say something useful about. */
function describe(code: string, text: string): { message: string; code: string } | undefined {
  switch (code) {
    case 'ECONNREFUSED':
    case 'ENOENT':
      return { message: `cannot connect: no PostgreSQL server there (${text})`, code: 'FLEET_STORE_CANTOPEN' };
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { message: `cannot connect (${text})`, code: 'FLEET_STORE_CANTOPEN' };
    case '28P01': // invalid_password
    case '28000': // invalid_authorization_specification
      return { message: `PostgreSQL refused the login (${text})`, code: 'FLEET_STORE_CANTOPEN' };
    case '3D000': // invalid_catalog_name
      return { message: `${text}; create it first (createdb)`, code: 'FLEET_STORE_CANTOPEN' };
    case '42501': // insufficient_privilege
      return { message: `permission denied (${text})`, code: 'FLEET_STORE_READONLY' };
    case '25006': // read_only_sql_transaction
      return { message: `database is read-only (${text})`, code: 'FLEET_STORE_READONLY' };
    case '53100': // disk_full
      return { message: `disk full while writing results (${text})`, code: 'FLEET_STORE_FULL' };
    case '40P01': // deadlock_detected
    case '55P03': // lock_not_available
      return { message: `database stayed locked by another fleet process (${text})`, code: 'FLEET_STORE_BUSY' };
    case '57P01': // admin_shutdown
    case '57P02': // crash_shutdown
    case '57P03': // cannot_connect_now
      return { message: `the PostgreSQL server is shutting down or starting (${text})`, code: 'FLEET_STORE_CANTOPEN' };
    default:
      return undefined;
  }
}

export function postgresErrorFrom(target: string, err: unknown): StoreError {
  if (err instanceof StoreError) return err;
  const e = (err ?? {}) as PgErrorLike;
  const code = typeof e.code === 'string' ? e.code : '';
  const raw = typeof e.message === 'string' && e.message !== '' ? e.message : String(err);
  const text = maskTargetIn(target, raw.split('\n')[0] ?? raw);
  const known = describe(code, text);
  return new StoreError(maskDbTarget(target), known?.message ?? text, known?.code);
}
