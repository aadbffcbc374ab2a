/**
 * Read queries and the mapping from stored rows to the RunStore row types. Plain SQL (no SQLite-only
 * functions) so the PostgreSQL store can reuse the shapes with `$n` placeholders.
 */
import type { RunTimings } from '../engine/timings.js';
import type { CheckStatus, FleetCheckResult, Severity } from '../core/check.js';
import type { HostStatus, RunStatus, StepStatus } from '../core/result.js';
import { decodeFacts } from './encode.js';
import type { SqlDb, SqlValue } from './sql-db.js';
import type { CheckRow, HostRow, RunFilter, RunRow, StepFilter, StepRow } from './types.js';

interface RunRecord {
  id: number;
  playbook: string;
  inventory_sources: string;
  host_limit: string | null;
  options: string;
  controller: string;
  pid: number;
  username: string;
  started_at: number;
  finished_at: number | null;
  status: RunStatus;
  timings: string | null;
}

const RUN_COLUMNS =
  'id, playbook, inventory_sources, host_limit, options, controller, pid, username, started_at, finished_at, status, timings';
const NEWEST_FIRST = 'ORDER BY started_at DESC, id DESC';

type Counts = Partial<Record<HostStatus, number>>;

function toRunRow(r: RunRecord, counts: Counts | undefined): RunRow {
  return {
    id: r.id,
    playbook: r.playbook,
    inventorySources: JSON.parse(r.inventory_sources) as string[],
    limit: r.host_limit,
    options: JSON.parse(r.options) as Record<string, unknown>,
    controller: r.controller,
    pid: r.pid,
    user: r.username,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    status: r.status,
    hostCounts: counts ?? {},
    ...(r.timings ? { timings: JSON.parse(r.timings) as RunTimings } : {}),
  };
}

/** Runs matching `where` plus their host status counts, in two statements over the same filter. */
async function runsWithCounts(db: SqlDb, where: string, params: readonly SqlValue[]): Promise<RunRow[]> {
  const runs = await db.all<RunRecord>(`SELECT ${RUN_COLUMNS} FROM runs ${where}`, params);
  if (runs.length === 0) return [];
  const counts = await db.all<{ run_id: number; status: HostStatus; n: number }>(
    `SELECT run_id, status, COUNT(*) AS n FROM run_hosts WHERE run_id IN (SELECT id FROM runs ${where}) GROUP BY run_id, status`,
    params,
  );
  const byRun = new Map<number, Counts>();
  for (const c of counts) {
    const m = byRun.get(c.run_id) ?? {};
    m[c.status] = c.n;
    byRun.set(c.run_id, m);
  }
  return runs.map((r) => toRunRow(r, byRun.get(r.id)));
}

/** Newest first. `limit` absent = every matching run. */
export function listRuns(db: SqlDb, filter: RunFilter = {}): Promise<RunRow[]> {
  const cond: string[] = [];
  const params: SqlValue[] = [];
  if (filter.playbook !== undefined) (cond.push('playbook = ?'), params.push(filter.playbook));
  if (filter.status !== undefined) (cond.push('status = ?'), params.push(filter.status));
  if (filter.since !== undefined) (cond.push('started_at >= ?'), params.push(filter.since));
  let where = `${cond.length ? `WHERE ${cond.join(' AND ')} ` : ''}${NEWEST_FIRST}`;
  if (filter.limit !== undefined) {
    if (!Number.isSafeInteger(filter.limit) || filter.limit < 0) throw new TypeError(`store: invalid limit ${filter.limit}`);
    where += ' LIMIT ?';
    params.push(filter.limit);
  }
  return runsWithCounts(db, where, params);
}

export async function getRun(db: SqlDb, id: number): Promise<RunRow | undefined> {
  return (await runsWithCounts(db, 'WHERE id = ?', [id]))[0];
}

/** The latest run of the same playbook that started before `runId` (optionally only with given statuses). */
export async function previousRun(db: SqlDb, runId: number, statuses?: readonly RunStatus[]): Promise<RunRow | undefined> {
  const run = await db.get<{ playbook: string; started_at: number }>('SELECT playbook, started_at FROM runs WHERE id = ?', [runId]);
  if (!run) return undefined;
  let where = 'WHERE playbook = ? AND (started_at < ? OR (started_at = ? AND id < ?))';
  const params: SqlValue[] = [run.playbook, run.started_at, run.started_at, runId];
  if (statuses && statuses.length > 0) {
    where += ` AND status IN (${statuses.map(() => '?').join(', ')})`;
    params.push(...statuses);
  }
  return (await runsWithCounts(db, `${where} ${NEWEST_FIRST} LIMIT 1`, params))[0];
}

export async function getHosts(db: SqlDb, runId: number): Promise<HostRow[]> {
  const rows = await db.all<{
    host: string;
    status: HostStatus;
    reason: string | null;
    started_at: number | null;
    finished_at: number | null;
  }>('SELECT host, status, reason, started_at, finished_at FROM run_hosts WHERE run_id = ? ORDER BY host', [runId]);
  return rows.map((r) => ({
    runId,
    host: r.host,
    status: r.status,
    reason: r.reason,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  }));
}

export async function getHostGroups(db: SqlDb, runId: number): Promise<Map<string, string[]>> {
  const rows = await db.all<{ host: string; group_name: string }>(
    'SELECT host, group_name FROM run_host_groups WHERE run_id = ? ORDER BY host, group_name',
    [runId],
  );
  const out = new Map<string, string[]>();
  for (const r of rows) {
    const list = out.get(r.host);
    if (list) list.push(r.group_name);
    else out.set(r.host, [r.group_name]);
  }
  return out;
}

interface StepRecord {
  host: string;
  step_id: string;
  name: string;
  status: StepStatus;
  changed: number;
  rc: number | null;
  stdout: string;
  stdout_truncated: number;
  stderr: string;
  stderr_truncated: number;
  started_at: number;
  duration_ms: number;
  message: string | null;
}

/** A run's rows of `table` (optionally one host's), in the order they were recorded. */
function rowsOfRun<R>(db: SqlDb, table: string, cols: string, runId: number, host: string | undefined, where = ''): Promise<R[]> {
  const and = where ? ` AND ${where}` : '';
  return host === undefined
    ? db.all<R>(`SELECT ${cols} FROM ${table} WHERE run_id = ?${and} ORDER BY id`, [runId])
    : db.all<R>(`SELECT ${cols} FROM ${table} WHERE run_id = ? AND host = ?${and} ORDER BY id`, [runId, host]);
}

/** In the order they were recorded; with `changedOrFailed`, only steps that changed a host or did not succeed. */
export async function getSteps(db: SqlDb, runId: number, host?: string, opts: StepFilter = {}): Promise<StepRow[]> {
  const cols =
    'host, step_id, name, status, changed, rc, stdout, stdout_truncated, stderr, stderr_truncated, started_at, duration_ms, message';
  const where = opts.changedOrFailed ? "(changed = 1 OR status IN ('failed', 'unreachable'))" : '';
  const rows = await rowsOfRun<StepRecord>(db, 'steps', cols, runId, host, where);
  return rows.map((r) => ({
    runId,
    host: r.host,
    stepId: r.step_id,
    name: r.name,
    status: r.status,
    changed: r.changed === 1,
    rc: r.rc,
    stdout: r.stdout,
    stdoutTruncated: r.stdout_truncated === 1,
    stderr: r.stderr,
    stderrTruncated: r.stderr_truncated === 1,
    startedAt: r.started_at,
    durationMs: r.duration_ms,
    ...(r.message === null ? {} : { message: r.message }),
  }));
}

const parseJson = (s: string | null): unknown => (s === null ? undefined : (JSON.parse(s) as unknown));

/** In the order they were recorded. */
export async function getChecks(db: SqlDb, runId: number, host?: string): Promise<CheckRow[]> {
  const cols = 'host, check_id, status, severity, message, evidence, fix, fix_status';
  type R = {
    host: string;
    check_id: string;
    status: CheckStatus;
    severity: Severity;
    message: string;
    evidence: string | null;
    fix: string | null;
    fix_status: CheckRow['fixStatus'];
  };
  const rows = await rowsOfRun<R>(db, 'check_results', cols, runId, host);
  return rows.map((r) => ({
    runId,
    host: r.host,
    checkId: r.check_id,
    status: r.status,
    severity: r.severity,
    message: r.message,
    evidence: parseJson(r.evidence),
    fix: r.fix,
    fixStatus: r.fix_status,
  }));
}

export async function getFleetChecks(db: SqlDb, runId: number): Promise<FleetCheckResult[]> {
  const rows = await db.all<{
    check_id: string;
    status: CheckStatus;
    severity: Severity;
    message: string;
    hosts: string;
    evidence: string | null;
  }>('SELECT check_id, status, severity, message, hosts, evidence FROM fleet_checks WHERE run_id = ? ORDER BY id', [runId]);
  return rows.map((r) => ({
    id: r.check_id,
    status: r.status,
    severity: r.severity,
    message: r.message,
    hosts: JSON.parse(r.hosts) as string[],
    ...(r.evidence === null ? {} : { evidence: parseJson(r.evidence) }),
  }));
}

/** The parsed facts object, or undefined when none were recorded. */
export async function getFacts(db: SqlDb, runId: number, host: string): Promise<unknown> {
  const row = await db.get<{ encoding: string; body: Buffer | string }>('SELECT encoding, body FROM facts WHERE run_id = ? AND host = ?', [
    runId,
    host,
  ]);
  return row ? decodeFacts(row.encoding, row.body) : undefined;
}
