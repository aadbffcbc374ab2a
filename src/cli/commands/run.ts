/**
 * `fleet run PLAYBOOK`: a check/fix playbook on the hosts its plays name. Read-only unless --fix, or
 * unless the playbook is a remediation (`fix: true` plays, e.g. bridge-remediation): then it applies
 * unless --check (preview) or --no-fix (read only).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../../core/errors.js';
import { SecretMask } from '../../core/redact.js';
import { selectHosts } from '../../inventory/index.js';
import { builtinCatalog, loadPlaybook, playbookHosts, runModeOf, runPlaybook } from '../../playbook/index.js';
import { exitCodeOf, type RunSummary } from '../../engine/run.js';
import type { RunObserver } from '../../engine/events.js';
import { LiveRun } from '../../report/live-run.js';
import { maskDbTarget } from '../../store/db-target.js';
import { defaultDbTarget, describeDbTarget } from '../../store/open.js';
import { StoreError } from '../../store/errors.js';
import { formatRunSummary } from '../../output/summary.js';
import { formatCheckReport } from '../../output/checks-report.js';
import { StepDiffPrinter } from '../../output/step-diff-printer.js';
import { hostRunOptions, splitList, type ArgsOf, type HostRunArgs } from '../options.js';
import { defineCommand } from '../define-command.js';
import { runOnTargets, type RunSink } from '../run-context.js';
import { resolveResumeLimit } from '../resume.js';
import { loadTargets, withStore } from '../session.js';
import { warnerOf, type Io } from '../io.js';
import { packageRoot } from '../../install/package-root.js';
import { terminalJsonChunks, terminalSafe } from '../../output/terminal-safe.js';
import { formatTimings, type RunTimings } from '../../engine/timings.js';
import { absolutePaths, checkShardable, followShardedRun, leaseSeconds, planShards, submitShardedRun } from '../shards.js';

const runOptions = {
  fix: {
    type: 'boolean',
    describe:
      'Change hosts: run the fixes of failed checks, then re-check them on fresh facts (fixed / still failing). The default for remediation playbooks; --no-fix makes them read-only',
  },
  check: { alias: 'C', type: 'boolean', describe: 'Dry run: report what each fix and task WOULD do; change nothing' },
  diff: { alias: 'D', type: 'boolean', describe: 'With --check or --fix: show file diffs' },
  tags: {
    alias: 't',
    type: 'string',
    array: true,
    describe: 'Only tasks with these tags (each check is tagged with its id and group, e.g. bridge, netfilter)',
  },
  'skip-tags': { type: 'string', array: true, describe: 'Skip tasks with these tags' },
  shards: {
    type: 'number',
    describe: 'Sharded run (PostgreSQL --db): split the hosts into N shards queued for `fleet worker` processes',
  },
  'shard-size': { type: 'number', describe: 'Sharded run: shards of this many hosts (instead of --shards)' },
  'shard-by': {
    type: 'string',
    describe:
      'Sharded run: cut shards per inventory group, the first group of each host starting with this prefix (e.g. dc); workers take them with --tags',
  },
  'shard-lease': {
    type: 'number',
    describe:
      'Sharded run: seconds a worker holds a shard before it is handed to another (default: from shard size, --forks and the timeouts)',
  },
  'shard-retries': {
    type: 'number',
    default: 2,
    describe: 'Sharded run: retries of a failed shard before its hosts are recorded unaudited',
  },
  detach: { type: 'boolean', describe: 'Sharded run: print the run id and return at once; workers finish the run' },
} as const;

export type RunArgs = HostRunArgs & ArgsOf<typeof runOptions> & { playbook: string };

/** fleet's own playbooks/ (where fleet is installed), for `fleet run health-check` from any directory. */
const BUILTIN_PLAYBOOKS = path.join(packageRoot(), 'playbooks');

/**
 * A bare name is looked up as ./playbooks/NAME.yml, then in fleet's own playbooks/; anything with a
 * slash or a .yml/.yaml ending is a path.
 */
export function resolvePlaybook(name: string, cwd: string): string {
  if (name.includes('/') || /\.ya?ml$/.test(name)) {
    const p = path.resolve(cwd, name);
    if (!existsSync(p)) throw new InputError(`playbook ${name} does not exist`);
    return p;
  }
  const candidates = [path.join(cwd, 'playbooks'), BUILTIN_PLAYBOOKS].flatMap((d) => [
    path.join(d, `${name}.yml`),
    path.join(d, `${name}.yaml`),
  ]);
  const found = candidates.find((p) => existsSync(p));
  if (!found)
    throw new InputError(
      `no playbook named '${name}' (looked for ${[...new Set(candidates.map((c) => path.dirname(c)))].join(' and ')}/${name}.yml)`,
    );
  return found;
}

export const runCommand = defineCommand({
  command: 'run <playbook>',
  describe:
    'Run a playbook. Check playbooks (health-check) are read-only unless --fix; remediation playbooks (fix: true, e.g. bridge-remediation) apply unless --check or --no-fix',
  positionals: {
    playbook: { type: 'string', demandOption: true, describe: 'A name in playbooks/ (health-check) or a path to a YAML playbook' },
  },
  options: { ...hostRunOptions, ...runOptions },
  examples: [
    ['$0 run health-check -i inventory/', 'check every hypervisor; nothing changes'],
    ['$0 run health-check -l dc1 --tags bridge,netfilter', 'only bridge and netfilter checks in dc1'],
    ['$0 run health-check --check --fix', 'show what the fixes would do'],
    ['$0 run health-check --fix -e br_netfilter_fix=sysctl', 'repair runtime faults, then re-check'],
    ['$0 run bridge-remediation --check --diff', "preview each host's config diff, runtime commands and lockout warnings"],
    ['$0 run bridge-remediation', 'apply, canary first, each host commit-confirmed'],
    ['$0 run bridge-remediation --limit @failed', 'resume on the hosts that failed last time'],
  ],
  run: runPlaybookCommand,
});

export async function runPlaybookCommand(io: Io, args: RunArgs): Promise<number> {
  const mask = new SecretMask();
  return withStore(args.db, async (store) => (await runWithStore(io, args, { store, mask })).code, mask.redact);
}

/**
 * One `fleet run` on an open store: its exit code, and the summary of a run made here (the daemon runs
 * schedules through it); a sharded run is made by workers, so it has none.
 */
export async function runWithStore(io: Io, args: RunArgs, sink: RunSink): Promise<{ code: number; summary: RunSummary | undefined }> {
  const loadStart = Date.now();
  const warn = warnerOf(io);
  if (args.limit === '@failed' || args.limit === '@skipped')
    args = { ...args, limit: await resolveResumeLimit(sink.store, args.playbook, args.limit, warn) };
  const loaded = await loadTargets(args, io.cwd, warn);
  const file = resolvePlaybook(args.playbook, io.cwd);
  const catalog = builtinCatalog();
  // Everything is validated here, before any connection: YAML, modules, check ids, templates, patterns.
  const pb = await loadPlaybook(file, { catalog, checkPattern: (p) => void selectHosts(loaded.inventory, p) });
  const hosts = playbookHosts(pb, loaded.inventory, loaded.select, loaded.extraVars);
  if (hosts.length === 0)
    throw new InputError(`${file}: no play selects any host${args.limit !== undefined ? ` with --limit '${args.limit}'` : ''}`);
  const tags = splitList(args.tags);
  const skipTags = splitList(args['skip-tags']);
  // A remediation playbook exists to change hosts: it applies unless told otherwise.
  const fix = args.fix ?? pb.fixByDefault;
  const mode = runModeOf({ check: Boolean(args.check), fix });
  if (sink.quiet) {
    // The caller says what runs (the daemon's log line).
  } else if (args.check && fix)
    io.stderr.write(
      `fleet: --check${args.fix ? ' with --fix' : ''}: showing what ${args.fix ? 'the fixes' : 'the changes'} would do; nothing changes\n`,
    );
  else if (fix && args.fix === undefined)
    io.stderr.write(
      `fleet: ${args.playbook} is a remediation playbook (fix: true): applying changes; preview with --check --diff, read only with --no-fix\n`,
    );
  else if (!fix && pb.fixByDefault) io.stderr.write(`fleet: --no-fix: read-only; nothing changes\n`);

  if (args.shards !== undefined || args['shard-size'] !== undefined) {
    const db = args.db ?? defaultDbTarget();
    checkShardable(db, pb, mode);
    const shards = planShards(hosts, args);
    const biggest = Math.max(...shards.map((s) => s.hosts.length));
    const lease = args['shard-lease'] ?? leaseSeconds(biggest, args.forks, args['connect-timeout'], args.timeout);
    const retries = args['shard-retries'];
    if (!Number.isInteger(lease) || lease < 1)
      throw new InputError(`--shard-lease must be a positive whole number of seconds, not '${lease}'`);
    if (!Number.isInteger(retries) || retries < 0) throw new InputError(`--shard-retries must be a whole number, not '${retries}'`);
    const runId = await submitShardedRun(db, sink.store, {
      meta: {
        playbook: args.playbook,
        inventorySources: loaded.sources,
        limit: args.limit ?? null,
        options: { forks: args.forks, playbook_file: file, mode, tags, skip_tags: skipTags, diff: Boolean(args.diff) },
      },
      hosts,
      shards,
      spec: {
        playbook_file: file,
        cwd: io.cwd,
        inventory: absolutePaths(loaded.sources, io.cwd),
        extra_vars: args['extra-vars'] ?? [],
        mode,
        tags,
        skip_tags: skipTags,
        forks: args.forks,
        connection: {
          ...(args.become !== undefined ? { become: args.become } : {}),
          ...(args['become-user'] !== undefined ? { 'become-user': args['become-user'] } : {}),
          ...(args['host-key-checking'] !== undefined ? { 'host-key-checking': args['host-key-checking'] } : {}),
          ...(args['known-hosts'] !== undefined ? { 'known-hosts': absolutePaths(args['known-hosts'], io.cwd) } : {}),
          'connect-timeout': args['connect-timeout'],
          timeout: args.timeout,
          adaptive: args.adaptive !== false,
        },
        lease_seconds: lease,
        retries,
      },
    });
    io.stderr.write(
      `fleet: run ${runId}: ${hosts.length} host(s) in ${shards.length} shard(s) of up to ${biggest}, queued for fleet workers (lease ${lease}s, ${retries} retries)\n`,
    );
    if (args.detach) {
      io.stdout.write(`${runId}\n`);
      return { code: 0, summary: undefined };
    }
    return { code: await followShardedRun(io, db, sink.store, runId, Boolean(args.json)), summary: undefined };
  }
  if (args.detach) throw new InputError('--detach needs --shards or --shard-size');

  // The check summary and --json come from the run's own events, not from reading the DB back.
  const live = new LiveRun({ redact: sink.mask.redact, keepAllChecks: Boolean(args.json) });
  const observers: RunObserver[] = [live];
  if (args.diff && !args.json) observers.push(new StepDiffPrinter(io.stdout));
  // If the store fails mid-run (disk full…), the results gathered so far still reach the terminal.
  const printResults = (timings?: RunTimings): void => {
    if (!args.json) {
      io.stdout.write(formatCheckReport(live.hostChecks(), live.fleet));
      return;
    }
    // Host by host: a 10,000-host document as one string (and its escaped copy) was the run's peak memory.
    for (const chunk of terminalJsonChunks(timings ? { ...live.json(), timings } : live.json())) io.stdout.write(chunk);
    io.stdout.write('\n');
  };
  const summary = await runOnTargets(
    io,
    { ...sink, observers: [...(sink.observers ?? []), ...observers] },
    { ...loaded, hosts },
    args,
    {
      playbook: args.playbook,
      options: { playbook_file: file, mode, tags, skip_tags: skipTags, diff: Boolean(args.diff) },
      loadMs: Date.now() - loadStart,
    },
    async (run) => {
      const result = await runPlaybook(pb, {
        run,
        inventory: loaded.inventory,
        selectHosts: loaded.select,
        catalog,
        extraVars: loaded.extraVars,
        tags,
        skipTags,
        mode,
        diff: args.diff ?? false,
      });
      if (result.stoppedReason) run.stop(result.stoppedReason);
    },
  ).catch((err: unknown) => {
    if (err instanceof StoreError && !sink.quiet) {
      io.stderr.write('fleet: the results could not be stored; what this run found follows on stdout\n');
      printResults();
    }
    throw err;
  });

  if (sink.quiet) {
    // Nothing on the terminal: the run is in the store.
  } else if (args.json) {
    printResults(summary.timings);
  } else {
    printResults(summary.timings);
    io.stderr.write(
      sink.mask.redact(
        formatRunSummary(summary.runId, summary.outcomes, {
          interrupted: summary.status === 'interrupted',
          durationMs: summary.finishedAt - summary.startedAt,
          ...(summary.stoppedReason ? { stoppedReason: summary.stoppedReason } : {}),
        }),
      ),
    );
    io.stderr.write(`${sink.mask.redact(terminalSafe(formatTimings(summary.timings)))}\n`);
    io.stderr.write(
      `details: fleet show ${summary.runId}${args.db ? ` --db ${maskDbTarget(args.db)}` : ''}   (results database: ${describeDbTarget(args.db, io.cwd)})\n`,
    );
  }
  return { code: exitCodeOf(summary), summary };
}
