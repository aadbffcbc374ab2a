/**
 * Schedule locks in the database: one row per schedule being run, so daemons and `fleet schedule run`
 * on the same DB never run a schedule twice at once. A lock is free when it has no row, when its lease
 * ran out (the holder stopped heartbeating), or when its holder is provably dead: it recorded THIS
 * machine's hostname and its pid is gone (or now belongs to a younger process, see liveness.ts). A
 * holder on another machine is only ever freed by its lease: a pid means nothing here.
 *
 * Taking a lock is a compare-and-swap inside a write transaction: INSERT when there is no row, else
 * UPDATE only the row exactly as we judged it (same owner and lease). On SQLite the write transaction
 * already serialises everything; on PostgreSQL (READ COMMITTED) the conditional UPDATE re-checks its
 * WHERE after waiting for a concurrent writer, so of two contenders exactly one changes the row.
 */
import type { SqlDb } from './sql-db.js';
import { inWriteTransaction } from './transaction.js';

export interface LockDeps {
  /** This machine's hostname, compared with a holder's before its pid is judged. */
  readonly hostname: string;
  /** Whether the process `pid` that took a lock at `since` (epoch ms) may still hold it. */
  readonly isAlive: (pid: number, since: number) => boolean;
  readonly now: () => number;
}

/** What an owner string `hostname:pid:startMs` says; pid undefined when it names none. */
export function parseOwner(owner: string): { hostname: string; pid: number | undefined } {
  const m = /^(.*):(\d+):(\d+)$/.exec(owner);
  const pid = m ? Number(m[2]) : NaN;
  if (!m || !Number.isSafeInteger(pid) || pid <= 0 || pid > 2 ** 31 - 1) return { hostname: owner, pid: undefined };
  return { hostname: m[1]!, pid };
}

interface LockRow {
  owner: string;
  hostname: string;
  pid: number | null;
  acquired_at: number;
  lease_until: number;
}

function assertLease(what: string, name: string, owner: string, leaseMs: number): void {
  if (name === '' || owner === '') throw new TypeError(`store: ${what}: schedule name and owner must not be empty`);
  if (!Number.isSafeInteger(leaseMs) || leaseMs <= 0)
    throw new TypeError(`store: ${what} ${name}: leaseMs must be a positive integer, got ${leaseMs}`);
}

export async function tryAcquireLock(db: SqlDb, deps: LockDeps, name: string, owner: string, leaseMs: number): Promise<boolean> {
  assertLease('lock', name, owner, leaseMs);
  const me = parseOwner(owner);
  return inWriteTransaction(db, async () => {
    const now = deps.now();
    const inserted = await db.run(
      `INSERT INTO schedule_locks (name, owner, hostname, pid, acquired_at, heartbeat_at, lease_until)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`,
      [name, owner, me.hostname, me.pid ?? null, now, now, now + leaseMs],
    );
    if (inserted.changes === 1) return true;
    const held = await db.get<LockRow>('SELECT owner, hostname, pid, acquired_at, lease_until FROM schedule_locks WHERE name = ?', [name]);
    // Released between our INSERT and SELECT (PostgreSQL only): free, but the next fire will take it.
    if (held === undefined) return false;
    if (!takeable(held, owner, now, deps)) return false;
    const { changes } = await db.run(
      `UPDATE schedule_locks SET owner = ?, hostname = ?, pid = ?, acquired_at = ?, heartbeat_at = ?, lease_until = ?
       WHERE name = ? AND owner = ? AND lease_until = ?`,
      [owner, me.hostname, me.pid ?? null, now, now, now + leaseMs, name, held.owner, held.lease_until],
    );
    return changes === 1;
  });
}

/** Ours already (taken again: the same owner never runs a schedule twice), expired, or held by a dead local process. */
function takeable(held: LockRow, owner: string, now: number, deps: LockDeps): boolean {
  if (held.owner === owner || held.lease_until < now) return true;
  return held.hostname === deps.hostname && held.pid !== null && !deps.isAlive(held.pid, held.acquired_at);
}

/** Extends the lease of a lock we still hold; false when it was taken over (or released). */
export async function heartbeatLock(db: SqlDb, deps: LockDeps, name: string, owner: string, leaseMs: number): Promise<boolean> {
  assertLease('heartbeat', name, owner, leaseMs);
  const now = deps.now();
  const { changes } = await db.run('UPDATE schedule_locks SET heartbeat_at = ?, lease_until = ? WHERE name = ? AND owner = ?', [
    now,
    now + leaseMs,
    name,
    owner,
  ]);
  return changes === 1;
}

/** Deletes our own lock row; someone else's (after a takeover) is left alone. */
export async function releaseLock(db: SqlDb, name: string, owner: string): Promise<void> {
  await db.run('DELETE FROM schedule_locks WHERE name = ? AND owner = ?', [name, owner]);
}
