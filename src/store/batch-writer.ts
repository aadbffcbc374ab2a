/**
 * Writes one batch of queued records in ONE transaction. Grouping by table turns thousands of records
 * into a handful of multi-row statements; the expensive part (fsync of the WAL) happens once per batch.
 */
import {
  CHECK_COLUMNS,
  FACTS_COLUMNS,
  FLEET_CHECK_COLUMNS,
  GROUP_COLUMNS,
  HOST_COLUMNS,
  STEP_COLUMNS,
  checkParams,
  factsParams,
  fleetCheckParams,
  groupRows,
  hostParams,
  stepParams,
  type EncodeOptions,
} from './encode.js';
import { insertRows, type TableSpec } from './bulk-insert.js';
import type { SqlDb, SqlValue } from './sql-db.js';
import type { PendingWrite } from './writes.js';

const HOSTS: TableSpec = {
  table: 'run_hosts',
  columns: HOST_COLUMNS,
  // A host is recorded when it starts and again when it ends: last record wins.
  conflict:
    'ON CONFLICT (run_id, host) DO UPDATE SET status = excluded.status, reason = excluded.reason, ' +
    'started_at = excluded.started_at, finished_at = excluded.finished_at',
};
const GROUPS: TableSpec = {
  table: 'run_host_groups',
  columns: GROUP_COLUMNS,
  conflict: 'ON CONFLICT (run_id, host, group_name) DO NOTHING',
};
const STEPS: TableSpec = { table: 'steps', columns: STEP_COLUMNS };
const FACTS: TableSpec = {
  table: 'facts',
  columns: FACTS_COLUMNS,
  conflict: 'ON CONFLICT (run_id, host) DO UPDATE SET encoding = excluded.encoding, body = excluded.body',
};
const CHECKS: TableSpec = { table: 'check_results', columns: CHECK_COLUMNS };
const FLEET_CHECKS: TableSpec = { table: 'fleet_checks', columns: FLEET_CHECK_COLUMNS };

type Of<K extends PendingWrite['kind']> = Extract<PendingWrite, { kind: K }>;

/**
 * A write fence: run first inside each batch's transaction; when it answers false the batch is rolled
 * back and dropped (the writer no longer owns what it writes, e.g. a sharded run's stale attempt: see
 * store/shards.ts). It should lock what it checks (SELECT … FOR UPDATE) so the answer holds until COMMIT.
 */
export interface BatchFence {
  readonly check: (db: SqlDb) => Promise<boolean>;
  /** Told once per dropped batch, after the rollback. */
  readonly onFenced?: (dropped: number) => void;
}

/** Commits every record in `items` atomically, or none of them (and rethrows). */
export async function writeBatch(db: SqlDb, items: readonly PendingWrite[], o: EncodeOptions, fence?: BatchFence): Promise<void> {
  // Upserted rows are de-duplicated here (last wins) so one statement never touches a key twice,
  // which PostgreSQL would reject and which would waste work in SQLite.
  const hosts = new Map<string, SqlValue[]>();
  const facts = new Map<string, Of<'facts'>>();
  const groups: SqlValue[][] = [];
  const steps: SqlValue[][] = [];
  const checks: SqlValue[][] = [];
  const fleetChecks: SqlValue[][] = [];
  const finishes: Of<'finish'>[] = [];
  for (const w of items) {
    switch (w.kind) {
      case 'host':
        hosts.set(`${w.runId}\0${w.row.host}`, hostParams(w, o));
        break;
      case 'groups':
        groups.push(...groupRows(w));
        break;
      case 'step':
        steps.push(stepParams(w, o));
        break;
      case 'facts':
        facts.set(`${w.runId}\0${w.host}`, w);
        break;
      case 'check':
        checks.push(checkParams(w, o));
        break;
      case 'fleetCheck':
        fleetChecks.push(fleetCheckParams(w, o));
        break;
      case 'finish':
        finishes.push(w);
        break;
    }
  }
  const factRows = await Promise.all([...facts.values()].map((w) => factsParams(w, o)));

  await db.exec(db.beginWrite);
  try {
    if (fence && !(await fence.check(db))) {
      await db.exec('ROLLBACK');
      fence.onFenced?.(items.length);
      return;
    }
    await insertRows(db, HOSTS, [...hosts.values()]);
    await insertRows(db, GROUPS, groups);
    await insertRows(db, STEPS, steps);
    await insertRows(db, FACTS, factRows);
    await insertRows(db, CHECKS, checks);
    await insertRows(db, FLEET_CHECKS, fleetChecks);
    for (const f of finishes) {
      await db.run('UPDATE runs SET status = ?, finished_at = ?, timings = COALESCE(?, timings) WHERE id = ?', [
        f.status,
        f.finishedAt,
        f.timingsJson,
        f.runId,
      ]);
    }
    await db.exec('COMMIT');
  } catch (err) {
    await db.exec('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
