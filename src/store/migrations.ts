/**
 * Ordered schema migrations. PRAGMA user_version records the last one applied.
 *
 * RULES: a migration that has shipped is FROZEN — never edit its SQL (an old fleet.db was built from it,
 * and test/fixtures/store/fleet-v1.sqlite proves the upgrade path from exactly that). Change the schema by
 * appending a migration. Keep SQL portable where cheap (a PostgreSQL store will mirror it): INTEGER epoch
 * ms timestamps, 0/1 booleans, JSON as TEXT, no SQLite-only types; column names avoid reserved words
 * (`user`, `limit`). Migrations run inside one transaction with foreign_keys ON, so a future table
 * rebuild must not rely on turning foreign keys off.
 *
 * This list is also the PostgreSQL schema: postgres-migrations.ts derives it, types by column name
 * (see the rules there), so name a new column by those rules. Where the two cannot run the same
 * statements (SQLite rebuilds a table to change a CHECK, PostgreSQL alters the constraint), the
 * migration says so in `postgres`.
 */

export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

/** A migration of the list below: the SQLite SQL, and PostgreSQL's own where it must differ. */
export interface SchemaMigration extends Migration {
  /** Replaces `sql` for PostgreSQL (still put through its type rules). */
  readonly postgres?: string;
}

const V1 = `
CREATE TABLE runs (
  id                INTEGER PRIMARY KEY,
  playbook          TEXT    NOT NULL,
  inventory_sources TEXT    NOT NULL,
  host_limit        TEXT,
  options           TEXT    NOT NULL,
  controller        TEXT    NOT NULL,
  pid               INTEGER NOT NULL,
  username          TEXT    NOT NULL,
  started_at        INTEGER NOT NULL,
  finished_at       INTEGER,
  status            TEXT    NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'interrupted'))
);

CREATE TABLE run_hosts (
  run_id      INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  host        TEXT    NOT NULL,
  status      TEXT    NOT NULL CHECK (status IN ('ok', 'changed', 'failed', 'unreachable', 'skipped')),
  reason      TEXT,
  started_at  INTEGER,
  finished_at INTEGER,
  PRIMARY KEY (run_id, host)
);

CREATE TABLE steps (
  id               INTEGER PRIMARY KEY,
  run_id           INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  host             TEXT    NOT NULL,
  step_id          TEXT    NOT NULL,
  name             TEXT    NOT NULL,
  status           TEXT    NOT NULL CHECK (status IN ('ok', 'changed', 'failed', 'skipped', 'unreachable')),
  changed          INTEGER NOT NULL,
  rc               INTEGER,
  stdout           TEXT    NOT NULL,
  stdout_truncated INTEGER NOT NULL,
  stderr           TEXT    NOT NULL,
  stderr_truncated INTEGER NOT NULL,
  started_at       INTEGER NOT NULL,
  duration_ms      INTEGER NOT NULL,
  message          TEXT
);
CREATE INDEX steps_by_run_host ON steps (run_id, host);

CREATE TABLE facts (
  run_id   INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  host     TEXT    NOT NULL,
  encoding TEXT    NOT NULL CHECK (encoding IN ('json', 'json+zlib')),
  body     BLOB    NOT NULL,
  PRIMARY KEY (run_id, host)
);
`;

const V2 = `
CREATE TABLE check_results (
  id         INTEGER PRIMARY KEY,
  run_id     INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  host       TEXT    NOT NULL,
  check_id   TEXT    NOT NULL,
  status     TEXT    NOT NULL CHECK (status IN ('pass', 'fail', 'warn', 'error', 'skipped')),
  severity   TEXT    NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low', 'info')),
  message    TEXT    NOT NULL,
  evidence   TEXT,
  fix        TEXT,
  fix_id     TEXT,
  fix_status TEXT CHECK (fix_status IN ('fixed', 'still-failing', 'would-fix', 'fix-failed'))
);
CREATE INDEX check_results_by_run_host ON check_results (run_id, host);
CREATE INDEX check_results_by_host ON check_results (host, run_id);
CREATE INDEX check_results_by_check ON check_results (check_id, run_id);

CREATE TABLE fleet_checks (
  id       INTEGER PRIMARY KEY,
  run_id   INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  check_id TEXT    NOT NULL,
  status   TEXT    NOT NULL CHECK (status IN ('pass', 'fail', 'warn', 'error', 'skipped')),
  severity TEXT    NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low', 'info')),
  message  TEXT    NOT NULL,
  hosts    TEXT    NOT NULL,
  evidence TEXT
);
CREATE INDEX fleet_checks_by_run ON fleet_checks (run_id);
CREATE INDEX fleet_checks_by_check ON fleet_checks (check_id, run_id);

CREATE INDEX runs_by_playbook_started ON runs (playbook, started_at);
CREATE INDEX runs_by_started ON runs (started_at);
CREATE INDEX runs_by_status ON runs (status);
CREATE INDEX run_hosts_by_host ON run_hosts (host, run_id);
CREATE INDEX steps_by_host ON steps (host, run_id);
`;

const V3 = `
CREATE TABLE run_host_groups (
  run_id     INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  host       TEXT    NOT NULL,
  group_name TEXT    NOT NULL,
  PRIMARY KEY (run_id, host, group_name)
);
CREATE INDEX run_host_groups_by_group ON run_host_groups (group_name, run_id);
`;

/*
 * V4, what the scheduling daemon keeps across restarts and shares between daemons on one DB:
 * - schedule_locks: one row per schedule being run; pid is NULL when the owner string names none,
 *   and such a holder is never judged dead (only its lease expiring frees the lock);
 * - schedule_fires: every fire ran/skipped/missed; run_id (indexed, so pruning a run is cheap) is
 *   cleared when the run is pruned, the fire itself stays as history;
 * - schedule_runs: which schedule made a run (runs predate schedules; a column there would need a rebuild);
 * - notify_outbox: channel named by (schedule, index, fingerprint), never by URL or command (no secrets);
 * - alert_state: the per (schedule, host, check) streak record of schedule/alerts.ts.
 */
const V4 = `
CREATE TABLE schedule_locks (
  name         TEXT    PRIMARY KEY,
  owner        TEXT    NOT NULL,
  hostname     TEXT    NOT NULL,
  pid          INTEGER,
  acquired_at  INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL,
  lease_until  INTEGER NOT NULL
);

CREATE TABLE schedule_fires (
  id          INTEGER PRIMARY KEY,
  schedule    TEXT    NOT NULL,
  due_at      INTEGER NOT NULL,
  outcome     TEXT    NOT NULL CHECK (outcome IN ('ran', 'skipped', 'missed')),
  detail      TEXT    NOT NULL,
  run_id      INTEGER REFERENCES runs (id) ON DELETE SET NULL,
  recorded_at INTEGER NOT NULL
);
CREATE INDEX schedule_fires_by_schedule ON schedule_fires (schedule, due_at);
CREATE INDEX schedule_fires_by_run ON schedule_fires (run_id);

CREATE TABLE schedule_runs (
  run_id   INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
  schedule TEXT    NOT NULL
);
CREATE INDEX schedule_runs_by_schedule ON schedule_runs (schedule, run_id);

CREATE TABLE notify_outbox (
  id            INTEGER PRIMARY KEY,
  schedule      TEXT    NOT NULL,
  channel_index INTEGER NOT NULL,
  fingerprint   TEXT    NOT NULL,
  payload       TEXT    NOT NULL,
  state         TEXT    NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
  attempts      INTEGER NOT NULL,
  next_try_at   INTEGER NOT NULL,
  last_error    TEXT,
  created_at    INTEGER NOT NULL,
  sent_at       INTEGER
);
CREATE INDEX notify_outbox_due ON notify_outbox (state, next_try_at);

CREATE TABLE alert_state (
  schedule    TEXT    NOT NULL,
  host        TEXT    NOT NULL,
  check_id    TEXT    NOT NULL,
  streak      INTEGER NOT NULL,
  open        INTEGER NOT NULL CHECK (open IN (0, 1)),
  notified_at INTEGER,
  PRIMARY KEY (schedule, host, check_id)
);
`;

/**
 * v5: sharded runs (cli/shards.ts). run_shards holds one row per shard of a run: its hosts (a JSON
 * array), the inventory group it was built from (the tag workers filter on), its state, and the
 * ATTEMPT number that fences results: a worker bumps it when it claims the shard, and every batch
 * it writes checks it first, so a stale attempt's late writes are dropped (pg-boss 10 has no
 * heartbeat). run_hosts accepts `unaudited`: the hosts of a dead-lettered shard.
 */
const V5_RUN_SHARDS = `
CREATE TABLE run_shards (
  run_id      INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  shard       INTEGER NOT NULL,
  group_name  TEXT,
  hosts       TEXT    NOT NULL,
  state       TEXT    NOT NULL CHECK (state IN ('queued', 'running', 'done', 'dead')),
  attempt     INTEGER NOT NULL DEFAULT 0,
  worker      TEXT,
  reason      TEXT,
  started_at  INTEGER,
  finished_at INTEGER,
  PRIMARY KEY (run_id, shard)
);
`;

/** SQLite cannot alter a CHECK: run_hosts is rebuilt with the new one. */
const V5_RUN_HOSTS_SQLITE = `
CREATE TABLE run_hosts_v5 (
  run_id      INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  host        TEXT    NOT NULL,
  status      TEXT    NOT NULL CHECK (status IN ('ok', 'changed', 'failed', 'unreachable', 'skipped', 'unaudited')),
  reason      TEXT,
  started_at  INTEGER,
  finished_at INTEGER,
  PRIMARY KEY (run_id, host)
);
INSERT INTO run_hosts_v5 (run_id, host, status, reason, started_at, finished_at)
  SELECT run_id, host, status, reason, started_at, finished_at FROM run_hosts;
DROP TABLE run_hosts;
ALTER TABLE run_hosts_v5 RENAME TO run_hosts;
CREATE INDEX run_hosts_by_host ON run_hosts (host, run_id);
`;

const V5_RUN_HOSTS_POSTGRES = `
ALTER TABLE run_hosts DROP CONSTRAINT run_hosts_status_check;
ALTER TABLE run_hosts ADD CONSTRAINT run_hosts_status_check
  CHECK (status IN ('ok', 'changed', 'failed', 'unreachable', 'skipped', 'unaudited'));
`;

/** v6: where each run's time went (engine/timings.ts), as JSON; NULL for runs from before. */
const V6 = `ALTER TABLE runs ADD COLUMN timings TEXT;`;

/** Every migration, oldest first; versions are 1, 2, 3… with no gaps. */
export const MIGRATIONS: readonly SchemaMigration[] = [
  { version: 1, description: 'runs, run_hosts, steps, facts', sql: V1 },
  { version: 2, description: 'check_results, fleet_checks, report indexes', sql: V2 },
  { version: 3, description: 'run_host_groups: the inventory groups of each host of a run', sql: V3 },
  { version: 4, description: 'scheduling: schedule_locks, schedule_fires, schedule_runs, notify_outbox, alert_state', sql: V4 },
  {
    version: 5,
    description: 'run_shards (sharded runs, attempt fencing); run_hosts accepts unaudited',
    sql: V5_RUN_SHARDS + V5_RUN_HOSTS_SQLITE,
    postgres: V5_RUN_SHARDS + V5_RUN_HOSTS_POSTGRES,
  },
  { version: 6, description: 'runs.timings: where the run spent its time', sql: V6 },
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Marks the file as a fleet database (PRAGMA application_id, "FLT1"), so a foreign SQLite file is
 * refused instead of being "migrated" into.
 */
export const APPLICATION_ID = 0x464c5431;
