/**
 * Runs a validated playbook inside a run (engine/run.ts withRun): plays in order; in each play the
 * hosts are split into serial batches and every host of a batch goes through the play on its own
 * (Ansible's `free` strategy) with the engine's bounded parallelism. After each batch the failure
 * policy decides whether to go on. When every host has reported, fleet-wide checks run on the facts.
 */
import type { FleetCheckResult } from '../core/check.js';
import type { Host, Inventory, Vars } from '../core/inventory.js';
import type { ActiveRun } from '../engine/run.js';
import { DEFAULT_DETACHED, type DetachedOptions } from '../modules/fix-exec.js';
import type { CheckCatalog, RunMode } from '../modules/types.js';
import { markLazy } from '../templates/lazy.js';
import { maxFailExceeded, maxUnreachableExceeded } from './failure-policy.js';
import { runPlayOnHost } from './host-play.js';
import type { PlayShared, RunShared } from './host-run.js';
import { HostState, type CheckRecord } from './host-state.js';
import { preflightPlay } from './preflight.js';
import { serialBatches } from './serial.js';
import type { Play, Playbook } from './types.js';

export interface RunPlaybookOptions {
  readonly run: ActiveRun;
  readonly inventory: Inventory;
  /** Hosts a play's pattern selects, with --limit applied (the inventory's selectHosts). */
  readonly selectHosts: (pattern: string) => readonly Host[];
  readonly catalog: CheckCatalog;
  /** -e vars: the highest precedence. */
  readonly extraVars?: Vars;
  readonly tags?: readonly string[];
  readonly skipTags?: readonly string[];
  /**
   * read-only (the default): nothing changes; fix: changing tasks run for real and failed checks get
   * their fixes; check (--check): a dry run that describes what fixes would do (recorded would-fix).
   * Decided once, by runModeOf, from the command line and the playbook.
   */
  readonly mode?: RunMode;
  /** --diff: show file diffs for copy/template/sysctl. */
  readonly diff?: boolean;
  /** How long to wait for detached fixes (tests shorten it). */
  readonly detached?: Partial<DetachedOptions>;
  /**
   * Run the fleet-wide checks when every host has reported (default true). A shard of a sharded run
   * sees only its hosts: its worker turns them off, and they run once over the whole run (fleetChecksOf).
   */
  readonly fleetChecks?: boolean;
}

/** What a host ended with, for the JSON document and reports. */
export interface HostReport {
  /** Final result per check id (the last evaluation wins). */
  readonly checks: ReadonlyMap<string, CheckRecord>;
  readonly unreachable: boolean;
}

export interface PlaybookResult {
  readonly playbook: string;
  readonly mode: RunMode;
  readonly hosts: ReadonlyMap<string, HostReport>;
  readonly fleet: readonly FleetCheckResult[];
  /** Why the run stopped early (max_fail_percentage, any_errors_fatal, interrupt), if it did. */
  readonly stoppedReason: string | undefined;
}

/** The run mode from the CLI flags: read-only unless fixing; --check wins over fixing. */
export function runModeOf(opts: { check: boolean; fix: boolean }): RunMode {
  return opts.check ? 'check' : opts.fix ? 'fix' : 'read-only';
}

function globalVars(pb: Playbook, inv: Inventory, mode: RunMode, diff: boolean): Vars {
  const groups: Record<string, string[]> = {};
  for (const g of inv.groups.keys()) groups[g] = [];
  for (const h of inv.hosts.values()) for (const g of h.groups) (groups[g] ??= []).push(h.name);
  const hostvars: Record<string, Vars> = {};
  for (const h of inv.hosts.values()) hostvars[h.name] = h.vars;
  return {
    groups,
    hostvars,
    playbook_dir: pb.dir,
    ansible_check_mode: mode !== 'fix',
    ansible_diff_mode: diff,
    fleet_mode: mode,
  };
}

/**
 * Every host some play of `pb` targets, in inventory order: what the CLI gives withRun as the run's
 * hosts (progress totals, and hosts never reached get recorded as skipped).
 */
export function playbookHosts(
  pb: Playbook,
  inventory: Inventory,
  selectHosts: (pattern: string) => readonly Host[],
  extraVars: Vars = {},
): Host[] {
  const names = new Set<string>();
  for (const play of pb.plays) {
    const pattern = play.hosts.includes('{{')
      ? pb.engine.renderString(play.hosts, { ...markLazy(extraVars), ...markLazy(play.vars) }, play.hostsLoc)
      : play.hosts;
    for (const h of selectHosts(pattern)) names.add(h.name);
  }
  return [...inventory.hosts.values()].filter((h) => names.has(h.name));
}

/** Runs `pb` in `opts.run`; resolves when every play is done (or the run stopped). */
export async function runPlaybook(pb: Playbook, opts: RunPlaybookOptions): Promise<PlaybookResult> {
  const { run } = opts;
  const mode = opts.mode ?? 'read-only';
  const diff = opts.diff === true;
  const hostVarsCache = new WeakMap<Host, Vars>();
  const shared: RunShared = {
    pb,
    mode,
    diff,
    filter: { tags: opts.tags ?? [], skipTags: opts.skipTags ?? [] },
    catalog: opts.catalog,
    extraVars: markLazy(opts.extraVars ?? {}),
    globalVars: globalVars(pb, opts.inventory, mode, diff),
    detached: { ...DEFAULT_DETACHED, ...opts.detached },
    hostVars(host) {
      let v = hostVarsCache.get(host);
      if (!v) hostVarsCache.set(host, (v = markLazy(host.vars)));
      return v;
    },
  };
  const states = new Map<string, HostState>();
  const stateOf = (h: Host) => {
    let s = states.get(h.name);
    if (!s) states.set(h.name, (s = new HostState(h)));
    return s;
  };

  for (const play of pb.plays) {
    if (run.signal.aborted || run.stoppedReason) break;
    const stopped = await runPlay(play, shared, opts, stateOf);
    if (stopped) {
      run.stop(stopped);
      break;
    }
  }

  const fleet = run.signal.aborted || opts.fleetChecks === false ? [] : runFleetChecks(pb, shared, opts, states);
  const hosts = new Map<string, HostReport>();
  for (const [name, s] of states) hosts.set(name, { checks: s.checks, unreachable: s.unreachable });
  return { playbook: pb.file, mode, hosts, fleet, stoppedReason: run.stoppedReason };
}

/** One play over its batches; returns a reason when the run must stop. */
async function runPlay(
  play: Play,
  shared: RunShared,
  opts: RunPlaybookOptions,
  stateOf: (h: Host) => HostState,
): Promise<string | undefined> {
  const { run } = opts;
  let pattern = play.hosts;
  try {
    if (pattern.includes('{{'))
      pattern = shared.pb.engine.renderString(pattern, { ...shared.extraVars, ...markLazy(play.vars) }, play.hostsLoc);
  } catch (err) {
    return `play '${play.name}': ${(err as Error).message}`;
  }
  let selected: readonly Host[];
  try {
    selected = opts.selectHosts(pattern);
  } catch (err) {
    return `play '${play.name}': hosts '${pattern}': ${(err as Error).message}`;
  }
  // Hosts that failed or became unreachable earlier leave the playbook, as in Ansible.
  let hosts = selected.filter((h) => {
    const s = stateOf(h);
    return !s.rolloutFailed && !s.unreachable;
  });
  if (hosts.length === 0) return undefined;
  const playShared: PlayShared = {
    play,
    playVars: markLazy({ ...play.vars, ...play.varsFiles }),
    playHosts: hosts.map((h) => h.name),
    fatal: undefined,
    batch: 0,
  };
  // Bad input on any host is found before the first batch: a change never starts on a fleet
  // where it would stop half-way on host #300's typo. Previews still show the other hosts.
  const invalid = preflightPlay(shared, playShared, hosts);
  if (invalid.size > 0) {
    const bad = hosts.filter((h) => invalid.has(h.name));
    for (const h of bad) stateOf(h).fail(`invalid input: ${invalid.get(h.name)}`);
    await run.runHosts(bad, async (ctx) => ({ status: 'failed', reason: stateOf(ctx.host).failReason ?? 'invalid input' }));
    hosts = hosts.filter((h) => !invalid.has(h.name));
    if (shared.mode === 'fix') {
      const first = bad[0]?.name ?? '';
      const reason = `invalid input on ${bad.length} host(s) of play '${play.name}' (first: ${first}: ${invalid.get(first)}); the play did not start on any host`;
      if (hosts.length) run.skip(hosts, `not run: ${reason}`);
      return reason;
    }
  }
  const batches = serialBatches(hosts, play.serial);
  let playFailed = 0;
  let playUnreachable = 0;
  let playTotal = 0;
  // With max_unreachable_percentage set, unreachable hosts have their own limit.
  const separateUnreachable = play.maxUnreachablePercentage !== undefined;
  for (let i = 0; i < batches.length; i++) {
    const batch = batches[i] ?? [];
    if (run.signal.aborted) return undefined;
    playShared.batch = i + 1; // exposed to tasks as fleet_batch (1 = the canary batch)
    const last = play === shared.pb.plays.at(-1);
    const keep = (f: unknown) => shared.catalog.fleetFacts?.(f) ?? f;
    const outcomes = await run.runHosts(
      batch,
      async (ctx) => {
        const state = stateOf(ctx.host);
        try {
          return await runPlayOnHost(ctx, shared, playShared, state);
        } finally {
          if (last) state.settle(keep);
        }
      },
      { releaseWhenDone: last },
    );
    const isUnreachable = (h: Host) => stateOf(h).unreachable || outcomes.get(h.name)?.status === 'unreachable';
    const batchUnreachable = batch.filter(isUnreachable).length;
    const batchFailed = batch.filter((h) => {
      const s = stateOf(h);
      return separateUnreachable ? s.rolloutFailed && !isUnreachable(h) : s.rolloutFailed || isUnreachable(h);
    }).length;
    playFailed += batchFailed;
    playUnreachable += batchUnreachable;
    playTotal += batch.length;
    const reason =
      (playShared.fatal !== undefined ? `any_errors_fatal: ${playShared.fatal} failed in play '${play.name}'` : undefined) ??
      maxFailExceeded(
        play.maxFailPercentage,
        { batch: i + 1, batchFailed, batchSize: batch.length, playFailed, playTotal },
        play.serial !== undefined,
      ) ??
      maxUnreachableExceeded(play.maxUnreachablePercentage, {
        batch: i + 1,
        batchUnreachable,
        batchSize: batch.length,
        playUnreachable,
        playTotal,
      });
    if (reason) {
      const rest = batches.slice(i + 1).flat();
      if (rest.length) run.skip(rest, `not run: ${reason}`);
      return reason;
    }
  }
  return undefined;
}

/** Fleet-wide checks over the facts every host reported (latest facts per host). */
function runFleetChecks(
  pb: Playbook,
  shared: RunShared,
  opts: RunPlaybookOptions,
  states: ReadonlyMap<string, HostState>,
): FleetCheckResult[] {
  const facts = new Map<string, unknown>();
  const vars = new Map<string, Vars>();
  for (const [name, s] of states) {
    if (s.facts === undefined) continue;
    facts.set(name, s.facts);
    vars.set(name, pb.engine.resolvedView({ inventory_hostname: name, ...shared.hostVars(s.host), ...shared.extraVars }));
  }
  const out = fleetChecksOver(pb, opts.catalog, facts, vars);
  for (const r of out) opts.run.reportFleetCheck(r);
  return out;
}

/**
 * The fleet-wide checks of `pb` over facts gathered elsewhere: a sharded run's, read back from the
 * store once every shard is done. Host vars come from `inventory` and `extraVars` as in a run.
 */
export function fleetChecksOf(
  pb: Playbook,
  opts: { readonly inventory: Inventory; readonly catalog: CheckCatalog; readonly extraVars?: Vars },
  facts: ReadonlyMap<string, unknown>,
): FleetCheckResult[] {
  const extra = markLazy(opts.extraVars ?? {});
  const vars = new Map<string, Vars>();
  for (const name of facts.keys()) {
    const host = opts.inventory.hosts.get(name);
    vars.set(name, pb.engine.resolvedView({ inventory_hostname: name, ...markLazy(host?.vars ?? {}), ...extra }));
  }
  return fleetChecksOver(pb, opts.catalog, facts, vars);
}

function fleetChecksOver(
  pb: Playbook,
  catalog: CheckCatalog,
  facts: ReadonlyMap<string, unknown>,
  vars: ReadonlyMap<string, Vars>,
): FleetCheckResult[] {
  if (facts.size === 0) return [];
  const wanted = new Set<string>();
  for (const play of pb.plays) {
    if (play.fleetChecks === true) for (const id of catalog.fleetCheckIds()) wanted.add(id);
    else if (Array.isArray(play.fleetChecks)) for (const id of play.fleetChecks) wanted.add(id);
  }
  const out: FleetCheckResult[] = [];
  for (const id of wanted) {
    try {
      out.push(...catalog.runFleetCheck(id, facts, vars));
    } catch (err) {
      out.push({ id, status: 'error', severity: 'medium', message: `fleet check failed: ${(err as Error).message}`, hosts: [] });
    }
  }
  return out;
}
