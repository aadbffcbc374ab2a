/**
 * The notification outbox in the database (see notify/outbox.ts for what it is for). A claim picks
 * the due items and moves their next_try_at to now + lease in ONE write transaction: on SQLite the
 * only writer, on PostgreSQL holding row locks taken with FOR UPDATE SKIP LOCKED. So two senders never
 * get the same item, and one that dies mid-send gives its items back when the lease runs out.
 */
import type { OutboxChannel, OutboxRow, OutboxRowState } from './schedule-types.js';
import type { SqlDb } from './sql-db.js';
import { inWriteTransaction, placeholders } from './transaction.js';

interface Row {
  id: number;
  schedule: string;
  channel_index: number;
  fingerprint: string;
  payload: string;
  state: OutboxRowState;
  attempts: number;
  next_try_at: number;
  last_error: string | null;
  created_at: number;
}

const COLUMNS = 'id, schedule, channel_index, fingerprint, payload, state, attempts, next_try_at, last_error, created_at';

const toItem = (r: Row): OutboxRow => ({
  id: r.id,
  channel: { schedule: r.schedule, index: r.channel_index, fingerprint: r.fingerprint },
  payload: r.payload,
  state: r.state,
  attempts: r.attempts,
  nextTryAt: r.next_try_at,
  lastError: r.last_error ?? undefined,
  createdAt: r.created_at,
});

function assertTime(what: string, ms: number): void {
  if (!Number.isSafeInteger(ms) || ms < 0) throw new TypeError(`store: outbox ${what} must be epoch ms, got ${ms}`);
}

/** All items of one call in one transaction: a notification for several channels is queued whole or not at all. */
export async function enqueue(db: SqlDb, items: readonly { channel: OutboxChannel; payload: string }[], now: number): Promise<void> {
  assertTime('enqueue time', now);
  if (items.length === 0) return;
  await inWriteTransaction(db, async () => {
    for (const { channel, payload } of items) {
      await db.run(
        `INSERT INTO notify_outbox (schedule, channel_index, fingerprint, payload, state, attempts, next_try_at, created_at)
         VALUES (?, ?, ?, ?, 'pending', 0, ?, ?)`,
        [channel.schedule, channel.index, channel.fingerprint, payload, now, now],
      );
    }
  });
}

export async function claim(db: SqlDb, now: number, limit: number, leaseMs: number): Promise<OutboxRow[]> {
  assertTime('claim time', now);
  if (!Number.isSafeInteger(limit) || limit <= 0) throw new TypeError(`store: outbox claim limit must be a positive integer, got ${limit}`);
  if (!Number.isSafeInteger(leaseMs) || leaseMs <= 0)
    throw new TypeError(`store: outbox claim leaseMs must be a positive integer, got ${leaseMs}`);
  // PostgreSQL: FOR UPDATE SKIP LOCKED locks the rows picked and passes over rows another claimer
  // holds, so claimers neither wait for nor deadlock on each other. (Not as an IN subquery of the
  // UPDATE: PostgreSQL may then return more rows than the LIMIT.) SQLite: the write transaction
  // already makes us the only writer.
  const skipLocked = db.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
  const rows = await inWriteTransaction(db, async () => {
    const ids = (
      await db.all<{ id: number }>(
        `SELECT id FROM notify_outbox WHERE state = 'pending' AND next_try_at <= ? ORDER BY next_try_at, id LIMIT ?${skipLocked}`,
        [now, limit],
      )
    ).map((r) => r.id);
    if (ids.length === 0) return [];
    return db.all<Row>(`UPDATE notify_outbox SET next_try_at = ? WHERE id IN (${placeholders(ids.length)}) RETURNING ${COLUMNS}`, [
      now + leaseMs,
      ...ids,
    ]);
  });
  // RETURNING has no defined order: oldest due first, as queued.
  return rows.map(toItem).sort((a, b) => a.createdAt - b.createdAt || a.id - b.id);
}

export async function markSent(db: SqlDb, id: number, attempts: number, now: number): Promise<void> {
  await db.run("UPDATE notify_outbox SET state = 'sent', attempts = ?, last_error = NULL, sent_at = ? WHERE id = ?", [attempts, now, id]);
}

/** `retryAt` undefined: give up (state failed); else pending again from retryAt. */
export async function markFailed(db: SqlDb, id: number, attempts: number, error: string, retryAt: number | undefined): Promise<void> {
  if (retryAt === undefined) {
    await db.run("UPDATE notify_outbox SET state = 'failed', attempts = ?, last_error = ? WHERE id = ?", [attempts, error, id]);
  } else {
    assertTime('retry time', retryAt);
    await db.run('UPDATE notify_outbox SET attempts = ?, last_error = ?, next_try_at = ? WHERE id = ?', [attempts, error, retryAt, id]);
  }
}

/** Every item, oldest first: for `fleet schedule status`-like views and tests. */
export async function listOutbox(db: SqlDb): Promise<OutboxRow[]> {
  return (await db.all<Row>(`SELECT ${COLUMNS} FROM notify_outbox ORDER BY id`)).map(toItem);
}
