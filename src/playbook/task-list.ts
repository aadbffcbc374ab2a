/**
 * Walking a task list on one host: blocks with rescue/always, the scope children inherit, and what
 * happens after each task (counters; a failed check is recorded or queued for its fix).
 */
import type { CheckResult } from '../core/check.js';
import { markLazy } from '../templates/lazy.js';
import type { HostRun, Scope } from './host-run.js';
import type { FixStatus } from '../core/check.js';
import { executeTask, type TaskOutcome } from './task-exec.js';
import type { ModuleTask, TaskNode } from './types.js';

/** Scope for the children of a block. */
function childScope(scope: Scope, block: TaskNode): Scope {
  return {
    tags: [...scope.tags, ...block.tags],
    when: [...scope.when, ...block.when],
    vars: { ...scope.vars, ...markLazy(block.vars) },
    become: block.become ?? scope.become,
    becomeUser: block.becomeUser ?? scope.becomeUser,
    ignoreErrors: block.ignoreErrors || scope.ignoreErrors,
    checkMode: block.checkMode ?? scope.checkMode,
    noLog: block.noLog || scope.noLog,
  };
}

/** Runs a task list; false when a task failed (and was not ignored or rescued). */
export async function runNodes(hr: HostRun, nodes: readonly TaskNode[], scope: Scope): Promise<boolean> {
  for (const node of nodes) {
    if (node.kind === 'block') {
      if (!(await runBlock(hr, node, childScope(scope, node)))) return false;
      continue;
    }
    const out = await executeTask(hr, node, scope);
    afterTask(hr, node, out, scope);
    if (out.failed) {
      hr.failure = `task '${node.name}' failed: ${out.message ?? 'failed'}`;
      return false;
    }
  }
  return true;
}

async function runBlock(hr: HostRun, block: Extract<TaskNode, { kind: 'block' }>, scope: Scope): Promise<boolean> {
  let ok = await runNodes(hr, block.block, scope);
  if (!ok && block.rescue.length > 0) {
    // A rescued block is not a failure, as in Ansible; the rescue sees what failed.
    hr.state.runtimeVars['ansible_failed_result'] = { msg: hr.failure ?? '' };
    hr.failure = undefined;
    ok = await runNodes(hr, block.rescue, scope);
  }
  // always runs whatever happened; its own failure fails the block too.
  const failure = hr.failure;
  const alwaysOk = await runNodes(hr, block.always, scope);
  if (alwaysOk) hr.failure = failure;
  return ok && alwaysOk;
}

/** Bookkeeping after a task: counters, and for checks: record now or queue the fix. */
function afterTask(hr: HostRun, task: ModuleTask, out: TaskOutcome, scope: Scope): void {
  if (out.changed) hr.changed++;
  const check = out.check;
  if (!check) return;
  const fixId = check.fixId && hr.run.catalog.hasFix(check.fixId) ? check.fixId : undefined;
  // Warnings with a fix are fixed too (STP on is a warn, yet the operator who says --fix wants it off).
  const fixable = (check.status === 'fail' || check.status === 'warn') && (task.fixTasks !== undefined || fixId !== undefined);
  if (fixable && hr.run.mode !== 'read-only') {
    hr.pending.push({
      task,
      scope,
      check,
      vars: hr.vars(scope, task.vars),
      fixTasks: task.fixTasks,
      fixId: task.fixTasks ? undefined : fixId,
    });
    return;
  }
  const builtin = task.args['command'] === undefined;
  if (hr.run.mode === 'fix' && builtin && (check.status === 'fail' || check.status === 'warn' || check.status === 'error')) {
    hr.pending.push({ task, scope, check, vars: hr.vars(scope, task.vars), fixTasks: undefined, fixId: undefined, recheckOnly: true });
    return;
  }
  recordCheck(hr, task, check, null, scope);
}

/** Records a check's final result for the host (store + the run's JSON view). */
export function recordCheck(hr: HostRun, task: ModuleTask, check: CheckResult, fixStatus: FixStatus | null, scope: Scope): void {
  hr.ctx.emitCheck(check, fixStatus);
  // The evidence went out with the event (to the store); the run itself needs only the verdict, and
  // evidence kept for every host would hold on to much of their facts.
  const { evidence: _evidence, ...verdict } = check;
  hr.state.checks.set(check.id, { result: verdict, fixStatus, ignored: task.ignoreErrors || scope.ignoreErrors });
}
