/**
 * One host going through one play: its variables, its module context (the one connection, with the
 * task's become/timeout), facts gathered once per run, and the bookkeeping the play needs at the end
 * (notified handlers, pending fixes, counters).
 */
import type { CheckResult } from '../core/check.js';
import type { Host, Vars } from '../core/inventory.js';
import type { StepResult } from '../core/result.js';
import type { HostContext } from '../engine/run-hosts.js';
import type { DetachedOptions } from '../modules/fix-exec.js';
import type { CheckCatalog, ModuleContext, RunMode, TaskInfo } from '../modules/types.js';
import { markLazy } from '../templates/lazy.js';
import { UnreachableError } from '../core/errors.js';
import type { HostState } from './host-state.js';
import type { TagFilter } from './tags.js';
import type { Cond, ModuleTask, Play, Playbook, TaskBase, TaskNode } from './types.js';

/** Settings shared by every host of a run. */
export interface RunShared {
  readonly pb: Playbook;
  readonly mode: RunMode;
  readonly diff: boolean;
  readonly filter: TagFilter;
  readonly catalog: CheckCatalog;
  /** -e vars, lazily templated. */
  readonly extraVars: Vars;
  /** Vars every host sees: groups, hostvars, playbook_dir, … */
  readonly globalVars: Vars;
  readonly detached: DetachedOptions;
  /** Inventory vars of a host, lazily templated (cached per host). */
  hostVars(host: Host): Vars;
}

/** Settings shared by the hosts of one play. */
export interface PlayShared {
  readonly play: Play;
  /** play vars then vars_files, lazily templated. */
  readonly playVars: Vars;
  readonly playHosts: readonly string[];
  /** any_errors_fatal: the first host whose failure stops the play. */
  fatal: string | undefined;
  /** The serial batch running now (1-based; 1 = canary), exposed to tasks as `fleet_batch`. */
  batch: number;
}

/** What a task inherits from its play and enclosing blocks. */
export type Scope = Pick<TaskBase, 'tags' | 'when' | 'vars' | 'become' | 'becomeUser' | 'ignoreErrors' | 'checkMode' | 'noLog'>;

/** A failed check waiting for its fix (runs after the play's tasks). */
export interface PendingFix {
  readonly task: ModuleTask;
  readonly scope: Scope;
  readonly check: CheckResult;
  readonly vars: Vars;
  readonly fixTasks: readonly TaskNode[] | undefined;
  readonly fixId: string | undefined;
  /** Set once the fix ran (--fix): whether it succeeded. */
  fixOk?: boolean;
  /** The fix ran detached (it may have changed the network): verify over a new connection. */
  detached?: boolean;
  /**
   * No fix of its own: a failing built-in check held back under --fix and evaluated again on the
   * fresh facts after the other fixes (they may resolve it: runtime STP fixed → config.drift gone).
   */
  recheckOnly?: boolean;
}

/** Thrown to stop a host's play early (interrupt, any_errors_fatal); carries the outcome reason. */
export class HostStop extends Error {
  constructor(
    readonly status: 'failed' | 'skipped',
    reason: string,
  ) {
    super(reason);
  }
}

/** A host's variables in a play, below task scope (Ansible precedence, lowest first; extra vars go on top later). */
export function playHostVars(run: RunShared, playShared: PlayShared, host: Host): Vars {
  return {
    ...run.globalVars,
    inventory_hostname: host.name,
    inventory_hostname_short: host.name.split('.')[0] ?? host.name,
    group_names: host.groups.filter((g) => g !== 'all' && g !== 'ungrouped'),
    ansible_play_hosts: playShared.playHosts,
    ansible_play_name: playShared.play.name,
    fleet_batch: playShared.batch,
    ...run.hostVars(host),
    ...playShared.playVars,
  };
}

export class HostRun {
  readonly notified = new Set<string>();
  readonly pending: PendingFix[] = [];
  changed = 0;
  /** Why the last failing task list failed (one line). */
  failure: string | undefined;
  /** playHostVars for this host: the same for every task of the play (a HostRun lives in one batch). */
  private baseVars: Vars | undefined;

  constructor(
    readonly ctx: HostContext,
    readonly run: RunShared,
    readonly playShared: PlayShared,
    readonly state: HostState,
  ) {}

  get play(): Play {
    return this.playShared.play;
  }

  get host(): Host {
    return this.state.host;
  }

  /** Records a step (honouring no_log: output never reaches the DB). */
  record(step: StepResult, noLog: boolean): void {
    this.ctx.emitStep(
      noLog
        ? {
            ...step,
            stdout: '',
            stderr: '',
            message: step.status === 'failed' ? 'failed (output hidden: no_log)' : 'output hidden (no_log)',
          }
        : step,
    );
  }

  /** The variables a task sees, lowest precedence first (see README "Variables"). */
  vars(scope: Scope, taskVars: Vars): Vars {
    const facts = this.state.facts === undefined ? {} : { fleet_facts: this.state.facts };
    return {
      ...(this.baseVars ??= playHostVars(this.run, this.playShared, this.host)),
      ...scope.vars,
      ...markLazy(taskVars),
      ...facts,
      ...this.state.runtimeVars,
      ...this.run.extraVars,
    };
  }

  /** Throws HostStop when the host must not start another task. */
  checkContinue(before: string): void {
    if (this.ctx.signal.aborted) throw new HostStop('failed', `interrupted before '${before}'`);
    const fatal = this.playShared.fatal;
    if (fatal !== undefined && fatal !== this.host.name) throw new HostStop('failed', `stopped: any_errors_fatal after ${fatal} failed`);
  }

  /** The host's facts: gathered with ONE exec the first time anything needs them, then cached for the run. */
  facts(become: boolean | undefined): Promise<unknown> {
    if (!this.state.factsPromise) {
      // A failure is cached too: 26 checks must not mean 26 failing facts runs.
      this.state.factsPromise = this.gatherFacts(become);
      this.state.factsPromise.catch(() => undefined);
    }
    return this.state.factsPromise;
  }

  /** Forgets cached facts so the next facts() gathers fresh ones (after fixes). */
  forgetFacts(): void {
    this.state.factsPromise = undefined;
  }

  private async gatherFacts(become: boolean | undefined): Promise<unknown> {
    const startedAt = Date.now();
    const base = { stepId: 'facts', name: 'gather facts', changed: false, startedAt };
    const vars = this.run.pb.engine.resolvedView(this.vars(this.rootScope(), {}));
    let command: string;
    try {
      command = this.run.catalog.factsCommand(vars);
    } catch (err) {
      throw new Error(`cannot build the facts command: ${(err as Error).message}`);
    }
    try {
      const conn = await this.ctx.connection();
      const execAt = Date.now();
      const r = await conn.exec(command, { ...(become !== undefined ? { become } : {}), timeoutMs: 180_000 });
      this.ctx.emitPhase('facts', Date.now() - execAt);
      if (r.timedOut || (r.rc !== 0 && r.stdout.trim() === '')) {
        throw new Error(`facts script ${r.timedOut ? 'timed out' : `failed (rc ${r.rc})`}: ${r.stderr.trim().split('\n').at(-1) ?? ''}`);
      }
      const parseAt = Date.now();
      const facts = this.run.catalog.parseFacts(r.stdout);
      this.ctx.emitPhase('parse', Date.now() - parseAt);
      this.state.facts = facts;
      this.ctx.emitFacts(facts);
      this.ctx.emitStep({
        ...base,
        status: 'ok',
        rc: r.rc,
        stdout: '',
        stderr: '',
        durationMs: Date.now() - startedAt,
        message: `facts gathered (${r.stdout.length} bytes)`,
      });
      return facts;
    } catch (err) {
      const status = err instanceof UnreachableError ? 'unreachable' : 'failed';
      this.ctx.emitStep({
        ...base,
        status,
        rc: null,
        stdout: '',
        stderr: '',
        durationMs: Date.now() - startedAt,
        message: (err as Error).message,
      });
      throw err;
    }
  }

  /** The scope of a play's top-level tasks. */
  rootScope(): Scope {
    return {
      tags: this.play.tags,
      when: [],
      vars: {},
      become: this.play.become,
      becomeUser: this.play.becomeUser,
      ignoreErrors: false,
      checkMode: undefined,
      noLog: false,
    };
  }

  /** The context a module runs with for one task (one loop item). */
  moduleContext(task: TaskInfo, scope: Scope, vars: Vars, dryRun: boolean, timeoutSec: number | undefined): ModuleContext {
    const become = scope.become;
    const becomeUser = scope.becomeUser;
    return {
      host: this.host.name,
      task,
      dryRun,
      diff: this.run.diff,
      vars,
      engine: this.run.pb.engine,
      playbookDir: this.run.pb.dir,
      catalog: this.run.catalog,
      signal: this.ctx.signal,
      exec: async (command, req) => {
        const conn = await this.ctx.connection();
        const timeoutMs = req?.timeoutMs ?? (timeoutSec !== undefined ? timeoutSec * 1000 : undefined);
        return conn.exec(command, {
          ...(become !== undefined ? { become } : {}),
          ...(becomeUser !== undefined ? { becomeUser } : {}),
          ...(timeoutMs !== undefined ? { timeoutMs } : {}),
          ...(req?.stdin !== undefined ? { stdin: req.stdin } : {}),
        });
      },
      facts: () => this.facts(become),
      reconnect: async () => {
        await this.ctx.reconnect();
      },
    };
  }
}
