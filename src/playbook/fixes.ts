/**
 * The fix phase of a host's play. Checks that failed and have a fix (a task list under the check's
 * `fix:`, or a built-in fix named by the check's fixId) are queued while the play's tasks run; then:
 *  - read-only (default): nothing is queued, nothing runs;
 *  - --check: each fix is described (its commands; its tasks run in check mode, with diffs when
 *    --diff), the check is recorded `would-fix`;
 *  - --fix: each fix runs, handlers run, facts are gathered again (once, or a few times while a
 *    fixed check has not settled yet: links take a moment to come up), every fixed check is
 *    evaluated again on the fresh facts and recorded `fixed`, `still-failing` or `fix-failed`;
 *    failing checks without a fix are evaluated again too (fixStatus null), since another fix may
 *    have resolved them, so the run records the host as it is now.
 */
import { noteStep } from './note-step.js';
import type { CheckResult } from '../core/check.js';
import { checkModule } from '../modules/check.js';
import { runFixPlan } from '../modules/fix-exec.js';
import { UnreachableError } from '../core/errors.js';
import { recordCheck, runNodes } from './task-list.js';
import type { HostRun, PendingFix, Scope } from './host-run.js';
import { renderArgs } from './task-exec.js';
import { sleepUnlessAborted } from '../core/sleep.js';

/** Runs (or, with --check, describes) the fixes of the host's failed checks. */
export async function applyFixes(hr: HostRun): Promise<void> {
  for (const p of hr.pending) {
    if (p.recheckOnly) continue;
    hr.checkContinue(`fix ${p.check.id}`);
    const ok = p.fixTasks ? await runFixTasks(hr, p) : await runPlannedFix(hr, p);
    if (hr.run.mode === 'check') continue;
    p.fixOk = ok;
  }
  if (hr.run.mode === 'check') {
    for (const p of hr.pending.splice(0)) recordCheck(hr, p.task, p.check, 'would-fix', p.scope);
  }
}

function fixScope(hr: HostRun, p: PendingFix): Scope {
  return {
    ...p.scope,
    // Fix tasks run whatever --tags says: the check they repair already ran.
    tags: ['always'],
    vars: { ...p.scope.vars, fleet_check: p.check },
    checkMode: hr.run.mode === 'check' ? true : p.scope.checkMode,
  };
}

async function runFixTasks(hr: HostRun, p: PendingFix): Promise<boolean> {
  const before = hr.failure;
  const ok = await runNodes(hr, p.fixTasks ?? [], fixScope(hr, p));
  hr.failure = before;
  return ok;
}

async function runPlannedFix(hr: HostRun, p: PendingFix): Promise<boolean> {
  const startedAt = Date.now();
  const stepId = `${p.check.id}:fix`;
  const name = `fix ${p.check.id}`;
  const dryRun = hr.run.mode !== 'fix';
  const mctx = hr.moduleContext({ id: stepId, name, loc: p.task.loc }, p.scope, p.vars, dryRun, p.task.timeoutSec);
  let result;
  try {
    const facts = await mctx.facts();
    const plan = hr.run.catalog.planFix(p.fixId ?? '', facts, hr.run.pb.engine.resolvedView(p.vars));
    p.detached = plan.detached === true;
    result = await runFixPlan(mctx, plan, hr.run.detached);
  } catch (err) {
    if (err instanceof UnreachableError) {
      hr.record(noteStep(stepId, name, 'unreachable', startedAt, err.message), false);
      throw err;
    }
    result = { changed: false, failed: true, msg: `cannot fix ${p.check.id}: ${(err as Error).message}` };
  }
  if (result.changed && !dryRun) hr.changed++;
  hr.record(
    {
      stepId,
      name,
      status: result.failed ? 'failed' : result.changed ? 'changed' : 'ok',
      changed: result.changed,
      rc: result.rc ?? null,
      stdout: result.stdout ?? '',
      stderr: result.stderr ?? '',
      startedAt,
      durationMs: Date.now() - startedAt,
      ...(result.msg ? { message: result.msg } : {}),
    },
    false,
  );
  return !result.failed;
}

/**
 * After --fix: gathers facts again (once, if any built-in check needs them) and evaluates every
 * fixed check again, recording its final state. Built-in checks see the fresh facts; ad-hoc checks
 * run their command again.
 */
export async function verifyFixes(hr: HostRun): Promise<void> {
  if (hr.pending.length === 0) return;
  // Nothing was fixed on this host: held-back checks keep the result they had.
  if (hr.pending.every((p) => p.recheckOnly)) {
    for (const p of hr.pending.splice(0)) recordCheck(hr, p.task, p.check, null, p.scope);
    return;
  }
  // After a detached fix (a network change) the old connection proves nothing: dial a new one.
  if (hr.pending.some((p) => p.detached)) await hr.ctx.reconnect();
  if (hr.pending.some((p) => p.task.args['command'] === undefined)) await gatherSettled(hr);
  for (const p of [...hr.pending]) {
    const startedAt = Date.now();
    const stepId = `${p.check.id}:verify`;
    let after: CheckResult;
    try {
      const mctx = hr.moduleContext(
        { id: stepId, name: `verify ${p.check.id}`, loc: p.task.loc },
        p.scope,
        p.vars,
        true,
        p.task.timeoutSec,
      );
      const r = await checkModule.run(mctx, renderArgs(hr, p.task, p.vars));
      after = r.check ?? { ...p.check, status: 'error', message: 'check gave no result' };
    } catch (err) {
      if (err instanceof UnreachableError) throw err;
      after = { ...p.check, status: 'error', message: `re-check failed: ${(err as Error).message}` };
    }
    if (p.recheckOnly) {
      hr.pending.splice(hr.pending.indexOf(p), 1);
      const resolved = (after.status === 'pass' || after.status === 'skipped') && p.check.status !== 'pass';
      recordCheck(
        hr,
        p.task,
        resolved ? { ...after, message: `resolved by the fixes above (was: ${p.check.message})` } : after,
        null,
        p.scope,
      );
      continue;
    }
    // A warning that is still a warning was not fixed; a failure that became a warning was.
    const passes = after.status === 'pass' || after.status === 'skipped' || (after.status === 'warn' && p.check.status === 'fail');
    const fixStatus = p.fixOk === false ? 'fix-failed' : passes ? 'fixed' : 'still-failing';
    const final: CheckResult =
      fixStatus === 'fixed'
        ? { ...after, message: `fixed (was: ${p.check.message})` }
        : fixStatus === 'fix-failed'
          ? { ...after, message: `fix failed; ${after.message}` }
          : after;
    hr.pending.splice(hr.pending.indexOf(p), 1);
    recordCheck(hr, p.task, final, fixStatus, p.scope);
    hr.record(
      {
        stepId,
        name: `verify ${p.check.id}`,
        status: fixStatus === 'fixed' ? 'ok' : 'failed',
        changed: false,
        rc: null,
        stdout: after.evidence === undefined ? '' : JSON.stringify(after.evidence),
        stderr: '',
        startedAt,
        durationMs: Date.now() - startedAt,
        message: `${fixStatus}: ${final.message}`,
      },
      false,
    );
    if (fixStatus !== 'fixed') hr.state.fail(`check ${p.check.id} ${fixStatus} after --fix: ${after.message}`);
  }
}

/** How often, and how far apart, facts are gathered again while a fixed check has not settled. */
export const SETTLE = { attempts: 4, delayMs: 750 };

/**
 * Gathers fresh facts after the fixes. Links take a moment to settle after a change (a bridge set up
 * reports operstate UP only once its port forwards; carrier propagates asynchronously), so while a
 * built-in check whose fix ran still fails on the new facts, gather again, a bounded number of times.
 * On a host where everything settled at once this is one exec, as before.
 */
async function gatherSettled(hr: HostRun): Promise<void> {
  const fixed = hr.pending.filter((p) => !p.recheckOnly && p.fixOk !== false && p.task.args['command'] === undefined);
  for (let attempt = 1; ; attempt++) {
    hr.forgetFacts();
    let facts: unknown;
    try {
      facts = await hr.facts(hr.play.become);
    } catch (err) {
      if (err instanceof UnreachableError) throw err;
      return; // Each re-check reports the missing facts as its own error.
    }
    const unsettled = fixed.some((p) => {
      try {
        const r = hr.run.catalog.runCheck(p.check.id, facts, hr.run.pb.engine.resolvedView(p.vars));
        return r.status !== 'pass' && r.status !== 'skipped';
      } catch {
        return false;
      }
    });
    if (!unsettled || attempt >= SETTLE.attempts || hr.ctx.signal.aborted) return;
    await sleepUnlessAborted(SETTLE.delayMs, hr.ctx.signal);
  }
}
