/**
 * Runs a planned fix (commands from planFix) on a host. Normal fixes run as one `set -e` script.
 * A detached fix (one that may cut the SSH session, like moving an IP onto a bridge) is started with
 * setsid, stdin/stdout closed, so losing the connection cannot kill it half-way; we then poll for the
 * status file it writes, re-dialling if the connection dropped, until a bounded deadline.
 */
import { sleepUnlessAborted } from '../core/sleep.js';
import type { FixPlan, ModuleContext, ModuleResult } from './types.js';
import { UnreachableError } from '../core/errors.js';
import { shQuote } from '../core/shell.js';
import { trimOutput } from './command-common.js';

export interface DetachedOptions {
  /** How long to wait for a detached fix to finish. */
  readonly timeoutMs: number;
  /** Pause between status polls. */
  readonly pollMs: number;
}

export const DEFAULT_DETACHED: DetachedOptions = { timeoutMs: 300_000, pollMs: 2_000 };

/** The script a fix runs: stop at the first failing command. */
export function fixScript(plan: FixPlan): string {
  return ['set -e', ...plan.commands].join('\n');
}

/** Runs (or, in a dry run, describes) a planned fix. */
export async function runFixPlan(ctx: ModuleContext, plan: FixPlan, detached: DetachedOptions = DEFAULT_DETACHED): Promise<ModuleResult> {
  const data = { description: plan.description, commands: [...plan.commands], detached: plan.detached === true };
  if (plan.commands.length === 0) return { changed: false, msg: `nothing to do: ${plan.description}`, data };
  if (ctx.dryRun) {
    return {
      changed: true,
      msg: `would fix: ${plan.description}${plan.detached ? ' (detached)' : ''}`,
      stdout: plan.commands.join('\n'),
      data,
    };
  }
  if (!plan.detached) {
    const r = await ctx.exec(fixScript(plan));
    const failed = r.timedOut || r.rc !== 0;
    return {
      changed: true,
      failed,
      rc: r.rc,
      stdout: trimOutput(r.stdout),
      stderr: trimOutput(r.stderr),
      msg: failed ? `fix failed (${r.timedOut ? 'timed out' : `rc ${r.rc}`}): ${plan.description}` : `fixed: ${plan.description}`,
      data,
    };
  }
  return runDetached(ctx, plan, detached, data);
}

async function runDetached(ctx: ModuleContext, plan: FixPlan, opts: DetachedOptions, data: Record<string, unknown>): Promise<ModuleResult> {
  const start = [
    'set -e',
    'd=$(mktemp -d "${TMPDIR:-/tmp}/fleet-fix.XXXXXX")',
    'base64 -d > "$d/run.sh"',
    // setsid: own session, so the end of our SSH session (or sudo) cannot signal it.
    `setsid sh -c 'sh "$1/run.sh" > "$1/out" 2>&1; echo $? > "$1/rc.tmp"; mv "$1/rc.tmp" "$1/rc"' fleet-fix "$d" < /dev/null > /dev/null 2>&1 &`,
    'echo "$d"',
  ].join('\n');
  const started = await ctx.exec(start, { stdin: Buffer.from(fixScript(plan)).toString('base64') });
  const dir = started.stdout.trim();
  if (started.rc !== 0 || !dir.startsWith('/')) {
    return {
      changed: false,
      failed: true,
      rc: started.rc,
      stderr: started.stderr,
      msg: `could not start detached fix: ${started.stderr.trim()}`,
      data,
    };
  }
  const q = shQuote(dir);
  const deadline = Date.now() + opts.timeoutMs;
  let lastError: UnreachableError | undefined;
  while (Date.now() < deadline && !ctx.signal.aborted) {
    await sleepUnlessAborted(opts.pollMs, ctx.signal);
    try {
      if (lastError) await ctx.reconnect();
      const poll = await ctx.exec(`cat ${q}/rc 2>/dev/null || echo running`, { timeoutMs: 15_000 });
      lastError = undefined;
      const status = poll.stdout.trim();
      if (status === 'running' || !/^\d+$/.test(status)) continue;
      const out = await ctx.exec(`tail -c 65536 ${q}/out; rm -rf ${q}`, { timeoutMs: 15_000 });
      const rc = Number(status);
      return {
        changed: true,
        failed: rc !== 0,
        rc,
        stdout: trimOutput(out.stdout),
        msg: rc === 0 ? `fixed (detached): ${plan.description}` : `detached fix failed (rc ${rc}): ${plan.description}`,
        data: { ...data, status_dir: dir },
      };
    } catch (err) {
      // The fix may have bounced the network; keep re-dialling until the deadline.
      if (!(err instanceof UnreachableError)) throw err;
      lastError = err;
    }
  }
  if (lastError) throw lastError;
  const why = ctx.signal.aborted ? 'interrupted while waiting for' : `no result within ${Math.round(opts.timeoutMs / 1000)}s from`;
  return {
    changed: true,
    failed: true,
    msg: `${why} detached fix (status in ${dir} on the host): ${plan.description}`,
    data: { ...data, status_dir: dir },
  };
}
