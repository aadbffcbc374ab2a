/** The process surface a command may touch, injectable so the CLI runs in-process in tests. */
import { terminalSafe } from '../output/terminal-safe.js';
export interface Io {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stderrIsTTY: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export function processIo(): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stderrIsTTY: Boolean(process.stderr.isTTY) && process.env.TERM !== 'dumb',
    env: process.env,
    cwd: process.cwd(),
  };
}

/** Where a command's warnings go: one `fleet: warning:` line each on stderr, host text made safe. */
export function warnerOf(io: Pick<Io, 'stderr'>): (warning: string) => void {
  return (w) => io.stderr.write(`fleet: warning: ${terminalSafe(w)}\n`);
}
