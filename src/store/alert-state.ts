/**
 * The alert records of schedule/alerts.ts per schedule, keyed "host\0check" in memory and stored as
 * (schedule, host, check_id) rows. A save replaces the schedule's whole set in one transaction:
 * advanceRun() returns every live record (records back at the initial state are dropped), so rows
 * missing from the map are problems that went away.
 */
import { alertKey, splitAlertKey, type AlertRecord } from './schedule-types.js';
import type { SqlDb } from './sql-db.js';
import { inWriteTransaction } from './transaction.js';

export async function loadAlertState(db: SqlDb, schedule: string): Promise<Map<string, AlertRecord>> {
  const rows = await db.all<{ host: string; check_id: string; streak: number; open: number; notified_at: number | null }>(
    'SELECT host, check_id, streak, open, notified_at FROM alert_state WHERE schedule = ? ORDER BY host, check_id',
    [schedule],
  );
  return new Map(
    rows.map((r) => [alertKey(r.host, r.check_id), { streak: r.streak, open: r.open === 1, notifiedAt: r.notified_at ?? undefined }]),
  );
}

export async function saveAlertState(db: SqlDb, schedule: string, entries: ReadonlyMap<string, AlertRecord>): Promise<void> {
  // Split every key before writing anything: a malformed one fails the save, not half of it.
  const rows = [...entries].map(([k, s]) => ({ ...splitAlertKey(k), s }));
  await inWriteTransaction(db, async () => {
    await db.run('DELETE FROM alert_state WHERE schedule = ?', [schedule]);
    for (const { host, check, s } of rows) {
      await db.run('INSERT INTO alert_state (schedule, host, check_id, streak, open, notified_at) VALUES (?, ?, ?, ?, ?, ?)', [
        schedule,
        host,
        check,
        s.streak,
        s.open ? 1 : 0,
        s.notifiedAt ?? null,
      ]);
    }
  });
}
