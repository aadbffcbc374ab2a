/**
 * Sharded runs (`fleet run --shards N | --shard-size S`, `fleet worker`) on a PostgreSQL store.
 *
 * SUBMIT. `fleet run` validates everything as usual, creates the run row (and the hosts' groups), splits
 * the hosts into shards, records them in run_shards and queues one pg-boss job per shard in the same
 * database (queue/shard-queue.ts). It then follows the run from the DB and exits with the usual exit
 * code once the run is finished, or returns at once with --detach. What a worker needs to run a shard
 * (playbook path, inventory sources, -e, mode, tags, connection options) is stored in the run's
 * options as `shard_spec`: workers need the same playbook and inventory paths (and known_hosts, keys).
 *
 * SHARDS. Without --shard-by, hosts are cut in inventory order into shards of --shard-size (or
 * ceil(hosts / --shards)), untagged. With --shard-by PREFIX, each host goes to the group of the first
 * of its inventory groups whose name starts with PREFIX (hosts with none: untagged), and each group is
 * cut separately; a shard is tagged with its group and `fleet worker --tags GROUP` takes only those.
 *
 * WORK. A worker claims a shard (store/shards.ts bumps its attempt and clears an earlier attempt's
 * rows), runs it with the normal engine (withRun + runPlaybook, fleet-wide checks off) with the results
 * going through the normal StoreRecorder into a store whose every batch is fenced by that attempt,
 * then settles it: done → complete(); error → fail() (pg-boss retries, then dead-letters). Only the
 * owner of the current attempt may settle. A dead-lettered shard's hosts become `unaudited`, with why.
 *
 * LEASE. pg-boss 10 has no heartbeat: a job's lease is `expireInSeconds` from fetch, fixed. A shard
 * still running when it ends would be handed to a second worker and run twice (harmless for reads,
 * wasteful; a stale writer is fenced anyway). So the lease is sized from the shard's worst case:
 * waves = ceil(shard size / forks); each wave at most connect-timeout + 2 x command timeout (facts,
 * then a check or fix command), doubled for margin, plus 60 s: 250 hosts at forks 50 with the default
 * 10 s / 120 s timeouts is 5 x 250 x 2 + 60 = 2560 s. And a worker stops its own shard LEASE_MARGIN
 * before the lease ends (unstarted hosts are not begun) and fails it, so the retry is not concurrent.
 * Smaller shards mean shorter leases, so a dead worker's shard comes back sooner; --shard-lease sets it.
 *
 * FINISH. The worker that settles the last shard (done or dead) runs the fleet-wide checks (duplicate
 * MACs…) over the facts every shard stored, and ends the run (`failed` if a shard was dead-lettered)
 * in one fenced batch, so two finalizers cannot both write. A worker that dies while finalizing is
 * covered by every worker's periodic sweep for runs whose shards are all settled but still `running`.
 */
import os from 'node:os';
import path from 'node:path';
import type { FleetCheckResult } from '../core/check.js';
import { InputError } from '../core/errors.js';
import type { Host } from '../core/inventory.js';
import { SecretMask } from '../core/redact.js';
import type { HostStatus } from '../core/result.js';
import { withRun, exitCodeOf, type RunSummary } from '../engine/run.js';
import type { HostOutcome, RunMeta } from '../engine/events.js';
import { selectHosts } from '../inventory/index.js';
import { builtinCatalog, fleetChecksOf, loadPlaybook, runPlaybook, type Playbook, type RunMode } from '../playbook/index.js';
import { formatRunSummary } from '../output/summary.js';
import { formatCheckReport } from '../output/checks-report.js';
import { buildRunJson } from '../report/run-json.js';
import { loadFacts, loadRunData } from '../report/run-data.js';
import { isPostgresUrl, maskDbTarget } from '../store/db-target.js';
import { openRunStore, openShardBook } from '../store/open.js';
import { StoreRecorder } from '../store/recorder.js';
import { ShardBook, type NewShard } from '../store/shards.js';
import type { RunStore } from '../store/types.js';
import { queueOf, ShardQueue, validTag, type ShardJob } from '../queue/shard-queue.js';
import { handleInterrupts } from './interrupt.js';
import type { Io } from './io.js';
import { warnerOf } from './io.js';
import type { ConnectionArgs } from './options.js';
import { loadTargets, setUpConnections, type LoadedTargets } from './session.js';

/** A worker stops its shard this long before the lease ends (at most 10% of the lease). */
export const LEASE_MARGIN_S = 30;

/** What a worker needs to run any shard of a run; stored in the run's options. */
export interface ShardSpec {
  readonly playbook_file: string;
  readonly cwd: string;
  readonly inventory: readonly string[];
  readonly extra_vars: readonly string[];
  readonly mode: RunMode;
  readonly tags: readonly string[];
  readonly skip_tags: readonly string[];
  readonly forks: number;
  readonly connection: Partial<ConnectionArgs>;
  readonly shards: number;
  readonly lease_seconds: number;
  readonly retries: number;
}

export interface ShardPlanArgs {
  readonly shards?: number | undefined;
  readonly 'shard-size'?: number | undefined;
  readonly 'shard-by'?: string | undefined;
  readonly 'shard-lease'?: number | undefined;
  readonly 'shard-retries'?: number | undefined;
}

/** Refuses what a sharded run cannot do, with one line each. */
export function checkShardable(db: string | undefined, pb: Playbook, mode: RunMode): void {
  if (!db || !isPostgresUrl(db))
    throw new InputError(
      '--shards/--shard-size need a PostgreSQL store (--db postgres://…): shards are queued in it for `fleet worker` processes',
    );
  const serial = pb.plays.find((p) => p.serial !== undefined);
  if (serial)
    throw new InputError(
      `play '${serial.name}' uses serial:, which needs one controller to order its batches: run this playbook without --shards`,
    );
  if (mode === 'fix')
    throw new InputError(
      '--shards runs read-only or with --check: a shard whose lease runs out is run again, and a fix must never be applied twice by accident',
    );
}

/** The hosts cut into shards (see SHARDS above). */
export function planShards(hosts: readonly Host[], args: ShardPlanArgs): NewShard[] {
  const whole = (name: string, v: number | undefined) => {
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new InputError(`--${name} must be a positive whole number, not '${v}'`);
  };
  whole('shards', args.shards);
  whole('shard-size', args['shard-size']);
  if (args.shards !== undefined && args['shard-size'] !== undefined) throw new InputError('give --shards or --shard-size, not both');
  const size = args['shard-size'] ?? Math.max(1, Math.ceil(hosts.length / (args.shards ?? 1)));
  const prefix = args['shard-by'];
  const groups = new Map<string | null, string[]>();
  for (const h of hosts) {
    const g = prefix === undefined ? null : (h.groups.find((x) => x !== 'all' && x !== 'ungrouped' && x.startsWith(prefix)) ?? null);
    if (g !== null && !validTag(g))
      throw new InputError(`group '${g}' of host ${h.name} cannot tag a shard (letters, digits, _ - . only): choose another --shard-by`);
    groups.set(g, [...(groups.get(g) ?? []), h.name]);
  }
  const out: NewShard[] = [];
  for (const [group, names] of groups) for (let i = 0; i < names.length; i += size) out.push({ group, hosts: names.slice(i, i + size) });
  return out;
}

/** The lease of a shard of `size` hosts (see LEASE above). */
export function leaseSeconds(size: number, forks: number, connectTimeout: number, timeout: number): number {
  const waves = Math.ceil(size / Math.max(1, forks));
  return Math.min(23 * 3600, Math.ceil(waves * (connectTimeout + 2 * timeout) * 2 + 60));
}

export interface SubmitRequest {
  readonly meta: Omit<RunMeta, 'controller' | 'pid' | 'user' | 'startedAt'>;
  readonly hosts: readonly Host[];
  readonly shards: readonly NewShard[];
  readonly spec: Omit<ShardSpec, 'shards'>;
}

/** Creates the run and queues its shards; returns the run id. */
export async function submitShardedRun(db: string, store: RunStore, req: SubmitRequest): Promise<number> {
  const startedAt = Date.now();
  const spec: ShardSpec = { ...req.spec, shards: req.shards.length };
  const meta: RunMeta = {
    ...req.meta,
    options: { ...req.meta.options, shard_spec: spec },
    controller: os.hostname(),
    pid: process.pid,
    user: os.userInfo().username,
    startedAt,
  };
  const recorder = new StoreRecorder(store);
  const runId = await recorder.begin(meta);
  const groups = new Map(req.hosts.map((h) => [h.name, h.groups.filter((g) => g !== 'all' && g !== 'ungrouped')]));
  recorder.onRunStart({ runId, meta, playbook: meta.playbook, hosts: req.hosts.map((h) => h.name), groups });
  await store.flush();
  const book = await openShardBook(db);
  try {
    await book.createShards(runId, req.shards);
  } finally {
    await book.close();
  }
  const queue = await ShardQueue.open(db, { supervise: false });
  try {
    const byTag = new Map<string | null, { runId: number; shard: number }[]>();
    req.shards.forEach((s, i) => byTag.set(s.group, [...(byTag.get(s.group) ?? []), { runId, shard: i + 1 }]));
    for (const [tag, jobs] of byTag) await queue.enqueue(tag, jobs, { retryLimit: spec.retries, expireInSeconds: spec.lease_seconds });
  } finally {
    await queue.stop();
  }
  return runId;
}

/** Follows a submitted run until it is finished; prints what `fleet run` prints; returns its exit code. */
export async function followShardedRun(io: Io, db: string, store: RunStore, runId: number, json: boolean): Promise<number> {
  const interrupt = handleInterrupts({ graceMs: 1000, stderr: io.stderr });
  const book = await openShardBook(db);
  let last = '';
  try {
    for (;;) {
      const run = await store.getRun(runId);
      if (!run) throw new InputError(`run ${runId} is gone from the database`);
      if (run.status !== 'running') break;
      if (interrupt.signal.aborted) {
        io.stderr.write(`fleet: stopped following run ${runId}; its workers go on (fleet show ${runId})\n`);
        return 130;
      }
      const shards = await book.shards(runId);
      const count = (s: string) => shards.filter((x) => x.state === s).length;
      const line = `fleet: run ${runId}: shards ${count('done')} done, ${count('running')} running, ${count('queued')} queued, ${count('dead')} dead; hosts ${await book.hostsDone(runId)} recorded`;
      if (line !== last) io.stderr.write(`${line}\n`);
      last = line;
      await new Promise((r) => setTimeout(r, 500));
    }
    return await printFinished(io, db, store, runId, json);
  } finally {
    interrupt.dispose();
    await book.close();
  }
}

async function printFinished(io: Io, db: string, store: RunStore, runId: number, json: boolean): Promise<number> {
  const data = await loadRunData(store, runId);
  const outcomes = new Map<string, HostOutcome>(
    data.hosts.map((h) => [h.host, { status: h.status, ...(h.reason !== null ? { reason: h.reason } : {}) }]),
  );
  const dead = data.hosts.filter((h) => h.status === 'unaudited').length;
  const summary: RunSummary = {
    runId,
    status: data.run.status,
    startedAt: data.run.startedAt,
    finishedAt: data.run.finishedAt ?? Date.now(),
    outcomes,
    // Each shard ran in its own worker: there is no one clock for the whole run's phases.
    timings: { phases: {}, slowest: [] },
    stoppedReason: dead ? `${dead} host(s) unaudited: their shard was dead-lettered` : undefined,
  };
  if (json) io.stdout.write(`${JSON.stringify(buildRunJson(data.run, data.hosts, data.checks, data.fleet), null, 2)}\n`);
  else {
    const checks = data.checks.map((c) => ({
      host: c.host,
      result: { id: c.checkId, status: c.status, severity: c.severity, message: c.message, ...(c.fix ? { fix: c.fix } : {}) },
      fixStatus: c.fixStatus,
    }));
    io.stdout.write(formatCheckReport(checks, data.fleet));
    io.stderr.write(
      formatRunSummary(runId, outcomes, {
        interrupted: summary.status === 'interrupted',
        durationMs: summary.finishedAt - summary.startedAt,
        ...(summary.stoppedReason ? { stoppedReason: summary.stoppedReason } : {}),
      }),
    );
    io.stderr.write(`details: fleet show ${runId} --db ${maskDbTarget(db)}\n`);
  }
  return exitCodeOf(summary);
}

// ---------------------------------------------------------------------------------------------------
// fleet worker

export interface WorkerOptions {
  readonly db: string;
  readonly concurrency: number;
  /** Take only shards built from these inventory groups; none: every shard, tagged or not. */
  readonly tags: readonly string[];
  /** How often to look for work when idle, in ms. */
  readonly pollMs: number;
  /** pg-boss maintenance interval (how soon an expired lease is noticed), seconds. */
  readonly maintenanceSeconds: number;
  /** Stop after this many idle polls in a row (tests, benchmarks); 0: never. */
  readonly exitWhenIdle: number;
}

interface Ctx {
  readonly io: Io;
  readonly opts: WorkerOptions;
  readonly name: string;
  readonly book: ShardBook;
  readonly queue: ShardQueue;
  readonly log: (line: string) => void;
}

/** The worker loop: k shards at once; SIGTERM/SIGINT: take no more, finish the running ones; again: exit. */
export async function runWorker(io: Io, opts: WorkerOptions): Promise<number> {
  if (!isPostgresUrl(opts.db)) throw new InputError('fleet worker needs a PostgreSQL store: --db postgres://…');
  for (const t of opts.tags) if (!validTag(t)) throw new InputError(`--tags: '${t}' cannot name a shard tag (letters, digits, _ - .)`);
  const name = `${os.hostname()}:${process.pid}`;
  const log = (line: string) => io.stderr.write(`fleet worker ${name}: ${line}\n`);
  const book = await openShardBook(opts.db);
  const queue = await ShardQueue.open(opts.db, {
    supervise: true,
    maintenanceIntervalSeconds: opts.maintenanceSeconds,
    onError: (err) => log(`queue: ${err.message}`),
  });
  const ctx: Ctx = { io, opts, name, book, queue, log };
  let stopping = false;
  const stop = (sig: NodeJS.Signals) => {
    if (stopping) {
      log(`${sig} again: exiting now; running shards come back when their leases end`);
      process.exit(130);
    }
    stopping = true;
    log(`${sig}: taking no new shards; finishing the running ones (again to exit now)`);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  log(`started: concurrency ${opts.concurrency}${opts.tags.length ? `, tags ${opts.tags.join(',')}` : ''}`);
  const active = new Set<Promise<void>>();
  let idle = 0;
  let lastSweep = 0;
  try {
    while (!stopping) {
      if (Date.now() - lastSweep > 15_000) {
        lastSweep = Date.now();
        for (const runId of await book.unfinalized())
          await finalizeRun(ctx, runId).catch((e: Error) => log(`finalize run ${runId}: ${e.message}`));
      }
      let got = false;
      if (active.size < opts.concurrency) {
        const dead = await queue.fetch(['fleet-shards-dead']);
        if (dead) {
          got = true;
          track(active, buryShard(ctx, dead));
        }
        const queues = opts.tags.length ? opts.tags.map((t) => queueOf(t)) : await queue.shardQueues();
        const job = await queue.fetch(queues);
        if (job) {
          got = true;
          track(active, workShard(ctx, job));
        }
      }
      if (got) idle = 0;
      else if (active.size === 0 && opts.exitWhenIdle > 0 && ++idle >= opts.exitWhenIdle) break;
      if (!got || active.size >= opts.concurrency) await Promise.race([sleep(opts.pollMs), ...active]);
    }
    await Promise.all(active);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await queue.stop().catch(() => undefined);
    await book.close().catch(() => undefined);
  }
  log('stopped');
  return 0;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function track(active: Set<Promise<void>>, p: Promise<void>): void {
  const done = p.finally(() => active.delete(done));
  active.add(done);
}

async function workShard(ctx: Ctx, job: ShardJob): Promise<void> {
  const { runId, shard } = job.data;
  const tag = `run ${runId} shard ${shard}`;
  try {
    const claim = await ctx.book.claim(runId, shard, ctx.name);
    if (claim.kind === 'settled') {
      // Recorded already by an attempt whose worker died before telling pg-boss.
      await ctx.queue.complete(job);
      return;
    }
    ctx.log(`${tag}: attempt ${claim.attempt}, ${claim.hosts.length} host(s)`);
    const error = await runShardAttempt(ctx, job, claim.attempt, claim.hosts);
    if (error === 'fenced') {
      ctx.log(`${tag}: attempt ${claim.attempt} was superseded by a newer one; its results were dropped`);
      return;
    }
    const settled = await ctx.book.finish(runId, shard, claim.attempt, error);
    if (!settled.owned) {
      ctx.log(`${tag}: attempt ${claim.attempt} was superseded by a newer one; leaving the job to it`);
      return;
    }
    if (error === null) await ctx.queue.complete(job);
    else await ctx.queue.fail(job, error);
    ctx.log(`${tag}: attempt ${claim.attempt} ${error === null ? 'done' : `failed: ${error}`}`);
    if (settled.last) await finalizeRun(ctx, runId);
  } catch (err) {
    // The DB or the queue failed us: the lease runs out and the shard comes back.
    ctx.log(`${tag}: ${(err as Error).message}`);
  }
}

async function buryShard(ctx: Ctx, job: ShardJob): Promise<void> {
  const { runId, shard } = job.data;
  try {
    const settled = await ctx.book.bury(
      runId,
      shard,
      (last, attempts) =>
        `shard ${shard} dead-lettered after ${attempts} attempt(s): ${last ?? 'its lease ran out (worker died or too slow)'}`,
    );
    await ctx.queue.complete(job);
    if (settled.owned) ctx.log(`run ${runId} shard ${shard}: dead-lettered; its hosts are recorded unaudited`);
    if (settled.last) await finalizeRun(ctx, runId);
  } catch (err) {
    ctx.log(`run ${runId} shard ${shard} (dead letter): ${(err as Error).message}`);
  }
}

function specOf(options: Record<string, unknown>, runId: number): ShardSpec {
  const spec = options['shard_spec'] as ShardSpec | undefined;
  if (!spec || typeof spec !== 'object') throw new Error(`run ${runId} is not a sharded run (no shard_spec)`);
  return spec;
}

async function loadFor(ctx: Ctx, spec: ShardSpec): Promise<{ loaded: LoadedTargets; pb: Playbook }> {
  const warn = warnerOf(ctx.io);
  const loaded = await loadTargets({ inventory: [...spec.inventory], 'extra-vars': [...spec.extra_vars] }, spec.cwd, warn);
  const pb = await loadPlaybook(spec.playbook_file, {
    catalog: builtinCatalog(),
    checkPattern: (p) => void selectHosts(loaded.inventory, p),
  });
  return { loaded, pb };
}

/** One attempt of a shard: null when it ran, an error message, or 'fenced' when superseded. */
async function runShardAttempt(ctx: Ctx, job: ShardJob, attempt: number, names: readonly string[]): Promise<string | null | 'fenced'> {
  const { runId, shard } = job.data;
  const mask = new SecretMask();
  const abort = new AbortController();
  let fenced = false;
  let timedOut = false;
  const store = await openRunStore(ctx.opts.db, {
    redact: mask.redact,
    fence: ctx.book.fence(runId, shard, attempt, () => {
      fenced = true;
      abort.abort(new Error('superseded'));
    }),
  });
  const margin = Math.min(LEASE_MARGIN_S, job.expireInSeconds * 0.1);
  const stopAfter = Math.max(1, job.expireInSeconds - margin);
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort(new Error('lease ending'));
  }, stopAfter * 1000);
  timer.unref();
  try {
    const run = await store.getRun(runId);
    if (!run) throw new Error(`run ${runId} is gone from the database`);
    const spec = specOf(run.options, runId);
    const { loaded, pb } = await loadFor(ctx, spec);
    const hosts = names.map((n) => {
      const h = loaded.inventory.hosts.get(n);
      if (!h) throw new InputError(`host ${n} of this shard is no longer in the inventory (${spec.inventory.join(', ')})`);
      return h;
    });
    const inShard = new Set(names);
    const select = (pattern: string) => selectHosts(loaded.inventory, pattern).filter((h) => inShard.has(h.name));
    const connArgs = { ...spec.connection, forks: spec.forks } as ConnectionArgs;
    const conn = await setUpConnections(connArgs, { ...loaded, hosts }, ctx.io.env);
    mask.add(conn.secrets);
    const catalog = builtinCatalog();
    await withRun(
      { playbook: run.playbook, inventorySources: run.inventorySources, limit: run.limit, options: {}, hosts },
      {
        recorder: new StoreRecorder(store, { runId }),
        pool: conn.pool,
        forks: spec.forks,
        observers: [],
        signal: abort.signal,
        specOf: conn.specOf,
      },
      async (active) => {
        const result = await runPlaybook(pb, {
          run: active,
          inventory: loaded.inventory,
          selectHosts: select,
          catalog,
          extraVars: loaded.extraVars,
          tags: spec.tags,
          skipTags: spec.skip_tags,
          mode: spec.mode,
          fleetChecks: false,
        });
        if (result.stoppedReason) active.stop(result.stoppedReason);
      },
    );
    await store.flush();
    if (fenced) return 'fenced';
    if (timedOut)
      return `shard stopped ${Math.round(margin)}s before its ${job.expireInSeconds}s lease ended; unstarted hosts were not begun`;
    return null;
  } catch (err) {
    return fenced ? 'fenced' : mask.redact((err as Error).message.split('\n')[0] ?? 'error');
  } finally {
    clearTimeout(timer);
    await store.close().catch(() => undefined);
  }
}

/** Fleet-wide checks over the whole run, then its final status: one fenced batch (see FINISH above). */
async function finalizeRun(ctx: Ctx, runId: number): Promise<void> {
  const store = await openRunStore(ctx.opts.db, { fence: ShardBook.runFence(runId) });
  try {
    const run = await store.getRun(runId);
    if (!run || run.status !== 'running') return;
    const spec = specOf(run.options, runId);
    const hosts = await store.getHosts(runId);
    const audited = hosts.filter((h) => (['ok', 'changed', 'failed'] as HostStatus[]).includes(h.status)).map((h) => h.host);
    let fleet: FleetCheckResult[];
    try {
      const { loaded, pb } = await loadFor(ctx, spec);
      fleet = fleetChecksOf(
        pb,
        { inventory: loaded.inventory, catalog: builtinCatalog(), extraVars: loaded.extraVars },
        await loadFacts(store, runId, audited),
      );
    } catch (err) {
      fleet = [
        { id: 'fleet', status: 'error', severity: 'medium', message: `fleet-wide checks failed: ${(err as Error).message}`, hosts: [] },
      ];
    }
    const dead = (await ctx.book.shards(runId)).filter((s) => s.state === 'dead').length;
    const recorder = new StoreRecorder(store, { runId, finishRun: true });
    for (const f of fleet) recorder.onFleetCheck(f);
    const finishedAt = Date.now();
    await recorder.onRunEnd({
      runId,
      status: dead ? 'failed' : 'completed',
      startedAt: run.startedAt,
      timings: { phases: {}, slowest: [] },
      finishedAt,
      outcomes: new Map(),
      interrupted: false,
      stoppedReason: dead ? `${dead} shard(s) dead-lettered` : undefined,
    });
    ctx.log(`run ${runId}: finished (${fleet.length} fleet-wide finding(s)${dead ? `, ${dead} dead shard(s)` : ''})`);
  } finally {
    await store.close();
  }
}

/** For the submitter: absolute paths, so a worker started elsewhere finds the same files. */
export function absolutePaths(list: readonly string[] | undefined, cwd: string): string[] {
  return (list ?? []).map((p) => (p.includes(',') || p.startsWith('/') ? p : path.resolve(cwd, p)));
}
