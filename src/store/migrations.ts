/**
 * Ordered schema migrations. PRAGMA user_version records the last one applied.
 *
 * RULES: a migration that has shipped is FROZEN — never edit its SQL (an old fleet.db was built from it,
 * and test/fixtures/store/fleet-v1.sqlite proves the upgrade path from exactly that). Change the schema by
 * appending a migration. Keep SQL portable where cheap (a PostgreSQL store will mirror it): INTEGER epoch
 * ms timestamps, 0/1 booleans, JSON as TEXT, no SQLite-only types; column names avoid reserved words
 * (`user`, `limit`). Migrations run inside one transaction with foreign_keys ON, so a future table
 * rebuild must not rely on turning foreign keys off.
 */

export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
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

/**
 * v4 is reserved for the schedule tables (added on another branch): a no-op here so that versions stay
 * aligned; when the branches meet, that branch's v4 replaces this one.
 */
const V4 = `SELECT 1;`;

/**
 * v5: sharded runs (cli/shards.ts). run_shards holds one row per shard of a run: its hosts (a JSON
 * array), the inventory group it was built from (the tag workers filter on), its state, and the
 * ATTEMPT number that fences results: a worker bumps it when it claims the shard, and every batch
 * it writes checks it first, so a stale attempt's late writes are dropped (pg-boss 10 has no
 * heartbeat). run_hosts accepts `unaudited`: the hosts of a dead-lettered shard.
 */
const V5 = `
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

/** Every migration, oldest first; versions are 1, 2, 3… with no gaps. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, description: 'runs, run_hosts, steps, facts', sql: V1 },
  { version: 2, description: 'check_results, fleet_checks, report indexes', sql: V2 },
  { version: 3, description: 'run_host_groups: the inventory groups of each host of a run', sql: V3 },
  { version: 4, description: 'reserved (schedule tables, another branch): no-op', sql: V4 },
  { version: 5, description: 'run_shards (sharded runs, attempt fencing); run_hosts accepts unaudited', sql: V5 },
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Marks the file as a fleet database (PRAGMA application_id, "FLT1"), so a foreign SQLite file is
 * refused instead of being "migrated" into.
 */
export const APPLICATION_ID = 0x464c5431;
