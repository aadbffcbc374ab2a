/**
 * Drives one running command to a CommandResult, the same way for an SSH exec channel and a local
 * child process: stdin (after sudo's dialogue when becoming), bounded output capture, the
 * per-command timeout, and cancellation when the connection underneath dies.
 */
import type { Readable } from 'node:stream';
import type { CommandResult } from '../core/result.js';
import { CappedOutput, DEFAULT_OUTPUT_CAP_BYTES } from './output.js';
import type { BecomeProtocol } from './remote-command.js';
import { SudoDialogue } from './sudo-dialogue.js';

/** A started command, whatever runs it. */
export interface ProcessHandle {
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Writes to the command's stdin; errors (the command already gone) are ignored. */
  write(data: Buffer): void;
  endInput(): void;
  /** Stops the command now: kill its process group / signal and close the channel. */
  kill(): void;
  /** Settles once the command is gone and its output streams are closed. */
  readonly exited: Promise<ExitInfo>;
}

export interface ExitInfo {
  readonly code: number | null;
  /** Signal name with the SIG prefix, e.g. `SIGKILL`. */
  readonly signal: string | null;
}

export interface SessionOptions {
  /** The command as the caller gave it (reported in the result, never the wrapped script). */
  readonly command: string;
  /** Local deadline; 0 means none. */
  readonly timeoutMs: number;
  /** Remote `timeout` guard: a SIGKILL exit after this long counts as a timeout too. */
  readonly guardMs?: number;
  readonly stdin?: string | Buffer;
  readonly become?: BecomeProtocol;
  readonly becomePassword?: string;
  readonly outputCapBytes?: number;
  /** Aborted when the connection is lost: the result promise then rejects with the abort reason. */
  readonly signal?: AbortSignal;
}

/** How long to wait for a killed command to report its end before giving up on it. */
const KILL_GRACE_MS = 2000;

export function runSession(proc: ProcessHandle, opts: SessionOptions): Promise<CommandResult> {
  const started = Date.now();
  const cap = opts.outputCapBytes ?? DEFAULT_OUTPUT_CAP_BYTES;
  const out = new CappedOutput(cap);
  const err = new CappedOutput(cap);

  let inputSent = false;
  const sendInput = (): void => {
    if (inputSent) return;
    inputSent = true;
    if (opts.stdin !== undefined && opts.stdin.length > 0) proc.write(Buffer.from(opts.stdin));
    proc.endInput();
  };

  const dialogue = opts.become
    ? new SudoDialogue(opts.become, opts.becomePassword, {
        write: (d) => proc.write(d),
        endInput: () => proc.endInput(),
        onRunning: (held) => {
          err.push(held);
          sendInput();
        },
      })
    : undefined;

  proc.stdout.on('data', (c: Buffer) => out.push(dialogue ? dialogue.stdout(c) : c));
  proc.stderr.on('data', (c: Buffer) => err.push(dialogue ? dialogue.stderr(c) : c));
  // With a password, stdin must wait: sudo reads the password from it first.
  if (!opts.become?.withPassword) sendInput();

  return new Promise<CommandResult>((resolve, reject) => {
    let timedOut = false;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const cleanup = (): void => {
      settled = true;
      timers.forEach(clearTimeout);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    const finish = (exit: ExitInfo): void => {
      if (settled) return;
      cleanup();
      const durationMs = Date.now() - started;
      const guardFired =
        opts.guardMs !== undefined && opts.guardMs > 0 && durationMs >= opts.guardMs && (exit.signal === 'SIGKILL' || exit.code === 137);
      const rest = dialogue?.finish();
      if (rest) out.push(rest.stdout);
      const stderr = rest ? rest.stderr + err.text() : err.text();
      if (timedOut || guardFired) {
        resolve({ command: opts.command, rc: null, signal: 'SIGKILL', stdout: out.text(), stderr, durationMs, timedOut: true });
      } else {
        resolve({ command: opts.command, rc: exit.code, signal: exit.signal, stdout: out.text(), stderr, durationMs, timedOut: false });
      }
    };
    const onAbort = (): void => {
      if (settled) return;
      cleanup();
      reject(opts.signal?.reason);
    };

    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.timeoutMs > 0) {
      timers.push(
        setTimeout(() => {
          if (settled) return;
          timedOut = true;
          proc.kill();
          // A channel that never reports back must not hold the caller forever.
          timers.push(setTimeout(() => finish({ code: null, signal: 'SIGKILL' }), KILL_GRACE_MS));
        }, opts.timeoutMs),
      );
    }
    proc.exited.then(finish, () => finish({ code: null, signal: null }));
  });
}
