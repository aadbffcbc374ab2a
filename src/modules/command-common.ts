/** What command and shell share: chdir, creates/removes, stdin, dry runs, and turning a CommandResult into a ModuleResult. */
import type { CommandResult } from '../core/result.js';
import { shQuote } from '../core/shell.js';
import { str } from './args.js';
import type { ModuleContext, ModuleResult } from './types.js';

/** Ansible strips trailing newlines from stdout/stderr, so `r.stdout == 'ok'` works. */
export function trimOutput(s: string): string {
  return s.replace(/[\r\n]+$/, '');
}

export function commandResult(r: CommandResult, timeoutHint?: number): ModuleResult {
  const stdout = trimOutput(r.stdout);
  const stderr = trimOutput(r.stderr);
  const failed = r.timedOut || r.rc !== 0;
  const msg = r.timedOut
    ? `command timed out${timeoutHint ? ` after ${timeoutHint / 1000}s` : ''}`
    : r.rc === null
      ? `command killed by signal ${r.signal ?? '?'}`
      : r.rc !== 0
        ? `non-zero return code ${r.rc}`
        : undefined;
  return {
    changed: true,
    failed,
    rc: r.rc,
    stdout,
    stderr,
    ...(msg ? { msg } : {}),
    data: {
      cmd: r.command,
      stdout_lines: stdout === '' ? [] : stdout.split('\n'),
      stderr_lines: stderr === '' ? [] : stderr.split('\n'),
      delta_ms: r.durationMs,
    },
  };
}

/** Runs `command` (already a safe shell command line) honouring chdir/creates/removes/stdin. */
export async function runShellLine(ctx: ModuleContext, command: string, args: Record<string, unknown>): Promise<ModuleResult> {
  const creates = str(args, 'creates');
  const removes = str(args, 'removes');
  // creates/removes only look at the host, so they are evaluated in dry runs too.
  if (creates !== undefined || removes !== undefined) {
    const probe = creates !== undefined ? `test -e ${shQuote(creates)}` : `test -e ${shQuote(removes ?? '')}`;
    const exists = (await ctx.exec(probe)).rc === 0;
    if (creates !== undefined && exists) return { changed: false, skipped: true, msg: `skipped, since ${creates} exists`, rc: 0 };
    if (removes !== undefined && !exists) return { changed: false, skipped: true, msg: `skipped, since ${removes} does not exist`, rc: 0 };
  }
  const chdir = str(args, 'chdir');
  // `|| exit` rather than `&&`: the command may span several lines (a shell script).
  const line = chdir !== undefined ? `cd ${shQuote(chdir)} || exit 1\n${command}` : command;
  if (ctx.dryRun) return { changed: false, skipped: true, msg: `would run: ${line}`, data: { cmd: line } };
  const stdin = str(args, 'stdin');
  const r = await ctx.exec(line, stdin !== undefined ? { stdin: stdin + (args['stdin_add_newline'] === false ? '' : '\n') } : {});
  return commandResult(r);
}
