/**
 * A play on one host, start to end: facts (if gather_facts), the task list with
 * block/rescue/always, check results and their pending fixes, the fix phase, handlers, and the
 * host's outcome. Hosts run this independently of each other (Ansible's `free` strategy).
 */
import type { HostOutcome } from '../engine/events.js';
import type { HostContext } from '../engine/run-hosts.js';
import { UnreachableError } from '../core/errors.js';
import { applyFixes, verifyFixes } from './fixes.js';
import { HostRun, HostStop, type PlayShared, type RunShared } from './host-run.js';
import { checkFailsHost, type HostState } from './host-state.js';
import { executeTask } from './task-exec.js';
import { recordCheck, runNodes } from './task-list.js';

/** Runs `play` on one host; never throws except UnreachableError (the engine records it). */
export async function runPlayOnHost(ctx: HostContext, run: RunShared, playShared: PlayShared, state: HostState): Promise<HostOutcome> {
  const hr = new HostRun(ctx, run, playShared, state);
  try {
    if (playShared.fatal !== undefined)
      return { status: 'skipped', reason: `not started: any_errors_fatal after ${playShared.fatal} failed` };
    if (hr.play.gatherFacts) {
      try {
        await hr.facts(hr.play.become);
      } catch (err) {
        if (err instanceof UnreachableError) throw err;
        hr.state.fail(`gathering facts failed: ${(err as Error).message}`);
      }
    }
    if (!state.rolloutFailed) {
      const ok = await runNodes(hr, hr.play.tasks, hr.rootScope());
      if (!ok) state.fail(hr.failure ?? 'a task failed');
      else {
        await applyFixes(hr);
        await runHandlers(hr);
        await verifyFixes(hr);
      }
    }
    // Checks that failed on a host whose play failed before the fix phase keep fixStatus null.
    for (const p of hr.pending.splice(0)) recordCheck(hr, p.task, p.check, null, p.scope);
  } catch (err) {
    // Stopped mid-way: a fix that already ran and was not verified counts as failed.
    for (const p of hr.pending.splice(0)) recordCheck(hr, p.task, p.check, p.fixOk === undefined ? null : 'fix-failed', p.scope);
    if (err instanceof UnreachableError) {
      state.unreachable = true;
      throw err;
    }
    if (!(err instanceof HostStop)) throw err;
    if (err.status === 'skipped') return { status: 'skipped', reason: err.message };
    state.fail(err.message);
  }
  if (state.rolloutFailed && playShared.play.anyErrorsFatal) playShared.fatal ??= state.host.name;
  return outcome(hr);
}

function outcome(hr: HostRun): HostOutcome {
  const { state } = hr;
  if (state.rolloutFailed) return { status: 'failed', reason: state.failReason ?? 'failed' };
  const failing = [...state.checks.values()].filter(checkFailsHost);
  if (failing.length > 0) {
    const first = failing[0]?.result;
    const more = failing.length > 1 ? ` (+${failing.length - 1} more failing check${failing.length > 2 ? 's' : ''})` : '';
    return { status: 'failed', reason: `check ${first?.id} ${first?.status}: ${first?.message}${more}` };
  }
  // Without --fix nothing may change (read-only promise): "would change" steps do not make a host changed.
  return hr.changed > 0 && hr.run.mode === 'fix' ? { status: 'changed' } : { status: 'ok' };
}

/** Handlers notified by changed tasks run once each, in the order they are defined. */
async function runHandlers(hr: HostRun): Promise<void> {
  for (const h of hr.play.handlers) {
    if (!hr.notified.has(h.name) && !h.listen.some((l) => hr.notified.has(l))) continue;
    // Handlers are not subject to --tags: they run because something changed.
    const out = await executeTask(hr, { ...h, tags: ['always'] }, { ...hr.rootScope(), tags: [] });
    if (out.changed) hr.changed++;
    if (out.failed) {
      hr.state.fail(`handler '${h.name}' failed: ${out.message ?? 'failed'}`);
      return;
    }
  }
}
