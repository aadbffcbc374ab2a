/**
 * One module task on one host: tags, `when`, `loop`, argument rendering, the read-only/dry-run
 * decision, `until`/`retries`, `changed_when`/`failed_when`, `register`, `notify`, and the recorded
 * step(s). Never throws for a task failure (that is a result); throws UnreachableError (the host is
 * gone) and HostStop (interrupt / any_errors_fatal).
 */
import { noteStep } from './note-step.js';
import { sleepUnlessAborted } from '../core/sleep.js';
import type { CheckResult } from '../core/check.js';
import { UnreachableError, formatLocation } from '../core/errors.js';
import type { Vars } from '../core/inventory.js';
import type { StepStatus } from '../core/result.js';
import { MODULES } from './module-registry.js';
import type { ModuleResult } from '../modules/types.js';
import { RenderError, type TemplateEngine } from '../templates/render.js';
import { isMapping } from '../templates/truth.js';
import type { HostRun, Scope } from './host-run.js';
import { tagSelected } from './tags.js';
import type { Cond, ModuleTask } from './types.js';

export interface TaskOutcome {
  /** The task failed and it was not ignored: the host stops (or the block rescues). */
  readonly failed: boolean;
  readonly changed: boolean;
  /** The check this task evaluated (check module). */
  readonly check?: CheckResult;
  /** One line, for the host's reason when failed. */
  readonly message?: string;
}

/** Effective tags: own + enclosing blocks + play. */
export function effectiveTags(task: { tags: readonly string[] }, scope: Scope): string[] {
  return [...scope.tags, ...task.tags];
}

const errMessage = (err: unknown, task: ModuleTask): string =>
  err instanceof RenderError ? err.message : `${formatLocation(task.loc)}: ${(err as Error).message ?? String(err)}`;

/** What `register` stores (Ansible's shape: changed, failed, rc, stdout, stdout_lines, msg, …). */
export function registerValue(r: ModuleResult, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    changed: r.changed,
    failed: r.failed === true,
    ...(r.skipped ? { skipped: true } : {}),
    msg: r.msg ?? '',
    ...(r.rc !== undefined ? { rc: r.rc } : {}),
    ...(r.stdout !== undefined ? { stdout: r.stdout } : {}),
    ...(r.stderr !== undefined ? { stderr: r.stderr } : {}),
    ...(r.diff !== undefined ? { diff: r.diff } : {}),
    ...(r.data ?? {}),
    ...extra,
  };
}

function stepStatus(r: ModuleResult): StepStatus {
  return r.failed ? 'failed' : r.skipped ? 'skipped' : r.changed ? 'changed' : 'ok';
}

/** Runs a task (all its loop items). */
export async function executeTask(hr: HostRun, task: ModuleTask, scope: Scope): Promise<TaskOutcome> {
  if (!tagSelected(effectiveTags(task, scope), hr.run.filter)) return { failed: false, changed: false };
  hr.checkContinue(task.name);
  const ignore = task.ignoreErrors || scope.ignoreErrors;
  const noLog = task.noLog || scope.noLog;
  const vars = hr.vars(scope, task.vars);
  const engine = hr.run.pb.engine;

  if (task.loop === undefined) {
    const { result, reg } = await runItem(hr, task, scope, vars, task.id, task.name);
    finishRegister(hr, task, reg);
    if (result.changed && !result.failed) notify(hr, task);
    // A failing check is a finding, not a task failure: the host goes on with its other checks.
    return {
      failed: result.failed === true && !ignore && !result.check,
      changed: result.changed && !result.failed,
      ...(result.check ? { check: result.check } : {}),
      ...(result.msg ? { message: result.msg } : {}),
    };
  }

  // A loop: when is evaluated per item, each item is its own step, register gets `results`.
  let items: unknown;
  const startedAt = Date.now();
  try {
    items = engine.renderValue(task.loop, vars, task.loopLoc ?? task.loc);
    if (isMapping(items)) throw new Error('loop must give a list, got a mapping (use dict2items)');
    if (!Array.isArray(items)) throw new Error(`loop must give a list, got ${items === null ? 'null' : typeof items}`);
  } catch (err) {
    const message = errMessage(err, task);
    hr.record(noteStep(task.id, task.name, 'failed', startedAt, message), noLog);
    finishRegister(hr, task, { changed: false, failed: true, msg: message, results: [] });
    return { failed: !ignore, changed: false, message };
  }
  const results: Record<string, unknown>[] = [];
  let changed = false;
  let failed = false;
  let firstFailure: string | undefined;
  for (let i = 0; i < items.length; i++) {
    if (i > 0) hr.checkContinue(task.name);
    const item = items[i];
    // Fresh vars per item: a set_fact in a loop accumulates, as in Ansible.
    const base = i === 0 ? vars : hr.vars(scope, task.vars);
    const itemVars: Vars = { ...base, [task.loopVar]: item, ...(task.indexVar ? { [task.indexVar]: i } : {}) };
    let label: string;
    try {
      label =
        task.loopLabel !== undefined
          ? engine.renderString(task.loopLabel, itemVars, task.loc)
          : typeof item === 'string'
            ? item
            : JSON.stringify(item);
    } catch {
      label = String(i);
    }
    const { result, reg } = await runItem(hr, task, scope, itemVars, `${task.id}[${i}]`, `${task.name} (${label})`);
    results.push({ ...reg, [task.loopVar]: item, ...(task.indexVar ? { [task.indexVar]: i } : {}) });
    changed ||= result.changed && !result.failed;
    if (result.failed) {
      failed = true;
      firstFailure ??= result.msg;
    }
  }
  const skipped = results.length > 0 && results.every((r) => r['skipped'] === true);
  finishRegister(hr, task, {
    changed,
    failed,
    ...(skipped || results.length === 0 ? { skipped: true } : {}),
    msg: failed ? 'One or more items failed' : 'All items completed',
    results,
  });
  if (changed) notify(hr, task);
  return { failed: failed && !ignore, changed, ...(firstFailure ? { message: firstFailure } : {}) };
}

function finishRegister(hr: HostRun, task: ModuleTask, value: Record<string, unknown>): void {
  if (task.register) hr.state.runtimeVars[task.register] = value;
}

function notify(hr: HostRun, task: ModuleTask): void {
  for (const n of task.notify) hr.notified.add(n);
}

/** The first false condition, or undefined when all hold. Throws RenderError. */
function firstFalse(hr: HostRun, conds: readonly Cond[], vars: Vars): Cond | undefined {
  const engine = hr.run.pb.engine;
  return conds.find((c) => !engine.test(engine.expression(c.source, c.loc), vars, c.loc));
}

function allTrue(hr: HostRun, conds: readonly Cond[], vars: Vars): boolean {
  return firstFalse(hr, conds, vars) === undefined;
}

/** Whether this task may change the host in this run (see README "Read-only by default"). */
export function isDryRun(hr: HostRun, task: ModuleTask, scope: Scope, mutates: boolean): boolean {
  const checkMode = task.checkMode ?? scope.checkMode;
  if (checkMode === false) return false;
  if (checkMode === true) return mutates;
  return mutates && hr.run.mode !== 'fix';
}

/** The task's arguments rendered with `vars` (expression and raw arguments stay as written). Throws RenderError. */
export function renderArgs(hr: HostRun, task: ModuleTask, vars: Vars): Record<string, unknown> {
  return renderTaskArgs(hr.run.pb.engine, task, vars);
}

/** renderArgs without a running host (the play's preflight). Throws RenderError. */
export function renderTaskArgs(engine: TemplateEngine, task: ModuleTask, vars: Vars): Record<string, unknown> {
  const module = MODULES.get(task.module);
  const args: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(task.args)) {
    args[k] =
      module?.rawArgs?.includes(k) || module?.expressionArgs?.includes(k)
        ? v
        : engine.renderValue(v, vars, task.argLocs[k] ?? task.argsLoc);
  }
  return args;
}

/** One task execution (one loop item): evaluates when, runs with until/retries, records the step. */
async function runItem(
  hr: HostRun,
  task: ModuleTask,
  scope: Scope,
  vars: Vars,
  stepId: string,
  name: string,
): Promise<{ result: ModuleResult; reg: Record<string, unknown> }> {
  const module = MODULES.get(task.module);
  if (!module) throw new Error(`unknown module ${task.module}`);
  const engine = hr.run.pb.engine;
  const noLog = task.noLog || scope.noLog;
  const startedAt = Date.now();
  const isCheck = task.module === 'check';
  const recordId = (r: ModuleResult) => (isCheck && r.check ? r.check.id : stepId);
  const record = (r: ModuleResult, attempts: number) => {
    const diffText = r.diff ? `${r.stdout ? `${r.stdout}\n` : ''}${r.diff}` : (r.stdout ?? '');
    const message = [
      r.msg,
      attempts > 1 ? `(${attempts} attempts)` : '',
      r.failed && (task.ignoreErrors || scope.ignoreErrors) ? '(ignored)' : '',
    ]
      .filter(Boolean)
      .join(' ');
    hr.record(
      {
        stepId: recordId(r),
        name,
        status: stepStatus(r),
        changed: r.changed,
        rc: r.rc ?? null,
        stdout: isCheck && r.check?.evidence !== undefined ? JSON.stringify(r.check.evidence) : diffText,
        stderr: r.stderr ?? '',
        startedAt,
        durationMs: Date.now() - startedAt,
        ...(message ? { message } : {}),
      },
      noLog,
    );
  };
  const fail = (msg: string): { result: ModuleResult; reg: Record<string, unknown> } => {
    const result: ModuleResult = { changed: false, failed: true, msg };
    record(result, 1);
    return { result, reg: registerValue(result) };
  };

  // when: the block's conditions, then the task's (all must hold).
  try {
    const f = firstFalse(hr, [...scope.when, ...task.when], vars);
    if (f) {
      const result: ModuleResult = { changed: false, skipped: true, msg: `skipped: when '${String(f.source)}' is false` };
      hr.record(noteStep(isCheck ? String(task.args['id']) : stepId, name, 'skipped', startedAt, result.msg, 0), noLog);
      return { result, reg: registerValue(result, { skip_reason: result.msg }) };
    }
  } catch (err) {
    return fail(errMessage(err, task));
  }

  let args: Record<string, unknown>;
  try {
    args = renderArgs(hr, task, vars);
  } catch (err) {
    return fail(errMessage(err, task));
  }

  const dryRun = isDryRun(hr, task, scope, module.mutates(args));
  const mctx = hr.moduleContext({ id: stepId, name, loc: task.loc }, scope, vars, dryRun, task.timeoutSec);
  const attemptsAllowed = task.until ? task.retries + 1 : 1;
  let result: ModuleResult = { changed: false };
  let reg: Record<string, unknown> = {};
  let attempts = 0;
  for (;;) {
    attempts++;
    try {
      result = await module.run(mctx, args);
    } catch (err) {
      if (err instanceof UnreachableError) {
        hr.record(noteStep(recordId(result), name, 'unreachable', startedAt, err.message), noLog);
        throw err;
      }
      result = { changed: false, failed: true, msg: errMessage(err, task) };
    }
    reg = registerValue(result, task.until ? { attempts } : {});
    try {
      const evalVars = task.register ? { ...vars, [task.register]: reg } : vars;
      if (task.changedWhen.length && !result.skipped) result = { ...result, changed: allTrue(hr, task.changedWhen, evalVars) };
      if (task.failedWhen.length && !result.skipped) {
        const failedNow = allTrue(
          hr,
          task.failedWhen,
          task.register ? { ...vars, [task.register]: { ...reg, changed: result.changed } } : vars,
        );
        result = {
          ...result,
          failed: failedNow,
          ...(failedNow && !result.failed ? { msg: `failed_when is true${result.msg ? `: ${result.msg}` : ''}` } : {}),
        };
      }
      reg = registerValue(result, task.until ? { attempts } : {});
      if (!task.until || result.skipped) break;
      const untilVars = task.register ? { ...vars, [task.register]: reg } : vars;
      if (engine.test(engine.expression(task.until.source, task.until.loc), untilVars, task.until.loc)) break;
    } catch (err) {
      result = { ...result, failed: true, msg: errMessage(err, task) };
      reg = registerValue(result);
      break;
    }
    if (attempts >= attemptsAllowed) {
      result = {
        ...result,
        failed: true,
        msg: `until '${String(task.until.source)}' still false after ${attempts} attempts${result.msg ? `: ${result.msg}` : ''}`,
      };
      reg = registerValue(result, { attempts });
      break;
    }
    if (hr.ctx.signal.aborted) break;
    await sleepUnlessAborted(task.delaySec * 1000, hr.ctx.signal);
  }
  record(result, attempts);
  if (result.facts && !result.failed) Object.assign(hr.state.runtimeVars, result.facts);
  return { result, reg };
}
