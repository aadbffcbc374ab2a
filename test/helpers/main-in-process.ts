/**
 * Runs fleet's real `main()` in-process with captured stdout/stderr: every command and the one
 * error-to-exit-code path of the CLI, without needing `npm run build` first.
 */
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';

export interface MainResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runMain(argv: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<MainResult> {
  const out = collect();
  const err = collect();
  const io: Io = { stdout: out.stream, stderr: err.stream, stderrIsTTY: false, env: opts.env ?? {}, cwd: opts.cwd };
  const code = await main(argv, io);
  return { code, stdout: out.text(), stderr: err.text() };
}

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}
